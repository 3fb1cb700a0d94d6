package io.graypipe.front.task;

import io.graypipe.front.image.ImageSource;
import io.graypipe.front.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data directory: one JSON record, one upload and one result per durable task. Every file appears under its
 * final name only once it is complete and on disk (written in {@code tmp/}, forced, then renamed atomically, then
 * the directory forced), so a crash at any point leaves either the old file, the new one, or nothing, never half
 * of one. Blocking: call it from the storage executor, never from an event loop.
 *
 * <pre>
 * DIR/lock               held while a front uses DIR
 * DIR/tasks/ID.json      the task record
 * DIR/uploads/ID         the uploaded image, until the task is final
 * DIR/results/ID         the output image of a done task, until it expires or is deleted
 * DIR/tmp/               files being written; emptied at start
 * </pre>
 */
public final class DataDirTaskStore implements TaskStore {
    private static final Logger log = LoggerFactory.getLogger(DataDirTaskStore.class);
    private static final String RECORD_SUFFIX = ".json";

    private final Path root;
    private final Path records;
    private final Path uploads;
    private final Path results;
    private final Path tmp;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Bytes of uploads and results on disk or reserved for a write under way. */
    private final AtomicLong usedBytes = new AtomicLong();

    private DataDirTaskStore(Path root, long maxBytes, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.records = root.resolve("tasks");
        this.uploads = root.resolve("uploads");
        this.results = root.resolve("results");
        this.tmp = root.resolve("tmp");
        this.maxBytes = maxBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens {@code root}, creating it if needed, and locks it so a second front cannot share it.
     *
     * @throws DataDirInUseException when another live process holds the lock
     */
    public static DataDirTaskStore open(Path root, long maxBytes) throws IOException {
        Files.createDirectories(root);
        FileChannel channel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new DataDirInUseException(root);
        }
        DataDirTaskStore files = new DataDirTaskStore(root.toAbsolutePath(), maxBytes, channel, lock);
        for (Path dir : List.of(files.records, files.uploads, files.results, files.tmp)) {
            Files.createDirectories(dir);
        }
        files.emptyTmp();
        files.usedBytes.set(files.sizeOf(files.uploads) + files.sizeOf(files.results));
        return files;
    }

    @Override
    public String location() {
        return root.toString();
    }

    public Path root() {
        return root;
    }

    @Override
    public long usedBytes() {
        return usedBytes.get();
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    /** Claims {@code bytes} of the disk budget; false, claiming nothing, when they do not fit. */
    @Override
    public boolean reserve(long bytes) {
        while (true) {
            long used = usedBytes.get();
            if (used + bytes > maxBytes) {
                return false;
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    /** Gives back budget claimed by {@link #reserve} for a write that did not happen. */
    @Override
    public void unreserve(long bytes) {
        usedBytes.addAndGet(-bytes);
    }

    /** Writes the upload of task {@code id} from {@code source}; its bytes must have been reserved. */
    @Override
    public void writeUpload(String id, InputStream source) throws IOException {
        writeAtomically(uploads.resolve(id), out -> source.transferTo(out));
    }

    /** Writes the result of task {@code id}; counted against the budget whether or not it fits. */
    @Override
    public void writeResult(String id, byte[] image) throws IOException {
        writeAtomically(results.resolve(id), out -> out.write(image));
        usedBytes.addAndGet(image.length);
    }

    @Override
    public void writeRecord(TaskRecord record) throws IOException {
        byte[] json = Json.bytes(record);
        writeAtomically(records.resolve(record.task().id() + RECORD_SUFFIX), out -> out.write(json));
    }

    @Override
    public ImageSource upload(String id) {
        return ImageSource.of(uploads.resolve(id));
    }

    @Override
    public byte[] readResult(String id) throws IOException {
        return Files.readAllBytes(results.resolve(id));
    }

    @Override
    public boolean hasResult(String id) {
        return Files.isRegularFile(results.resolve(id));
    }

    @Override
    public boolean hasUpload(String id) {
        return Files.isRegularFile(uploads.resolve(id));
    }

    /** Deletes the upload of task {@code id}, once it is no longer needed. */
    @Override
    public void deleteUpload(String id) {
        delete(uploads.resolve(id), true);
    }

    /** Deletes everything of task {@code id}: the record first, so a crash midway leaves only orphans. */
    @Override
    public void deleteTask(String id) {
        delete(records.resolve(id + RECORD_SUFFIX), false);
        delete(uploads.resolve(id), true);
        delete(results.resolve(id), true);
    }

    /** Every readable task record. One that cannot be parsed is logged and deleted with its files. */
    @Override
    public List<TaskRecord> readRecords() throws IOException {
        List<TaskRecord> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(records, "*" + RECORD_SUFFIX)) {
            for (Path file : dir) {
                try {
                    found.add(Json.MAPPER.readValue(file.toFile(), TaskRecord.class));
                } catch (IOException e) {
                    String name = file.getFileName().toString();
                    log.error("unreadable task record {}; deleting the task: {}", file, e.getMessage());
                    deleteTask(name.substring(0, name.length() - RECORD_SUFFIX.length()));
                }
            }
        }
        return found;
    }

    /** Deletes uploads and results whose task has no record: leftovers of a crash or of a failed delete. */
    @Override
    public int sweepOrphans(Set<String> knownIds) throws IOException {
        int swept = 0;
        for (Path dir : List.of(uploads, results)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    if (!knownIds.contains(file.getFileName().toString())) {
                        delete(file, true);
                        swept++;
                    }
                }
            }
        }
        return swept;
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private void writeAtomically(Path target, Writer writer) throws IOException {
        Path temp = Files.createTempFile(tmp, target.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(target.getParent());
    }

    /** Makes a rename durable: on Linux a directory's entries reach the disk only when the directory is forced. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is still atomic, only its durability is weaker.
            log.debug("cannot force directory {}: {}", dir, e.getMessage());
        }
    }

    private void delete(Path file, boolean counted) {
        try {
            long size = counted ? Files.size(file) : 0;
            Files.delete(file);
            usedBytes.addAndGet(-size);
        } catch (NoSuchFileException gone) {
            // Already deleted; nothing to give back.
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", file, e.getMessage());
        }
    }

    private void emptyTmp() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    private long sizeOf(Path dir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                total += Files.size(file);
            }
        }
        return total;
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("cannot release the lock of {}: {}", root, e.getMessage());
        }
    }

    /** Another front is using the data directory. */
    public static final class DataDirInUseException extends IOException {
        DataDirInUseException(Path root) {
            super("data directory " + root.toAbsolutePath() + " is in use by another graypipe front");
        }
    }
}
