package io.graypipe.front.worker;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.SharedMemory;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared-memory regions of this front (PROTOCOL.md, SCALE_REQUEST "SHARED"): one regular file per raster in the
 * shared-memory directory, named {@code graypipe-<pid>-<start>-<seq>} after the front's process id and start time
 * (epoch milliseconds), so that a front started later can tell a region whose owner is gone. The front owns its
 * regions: it writes each completely before the request goes out and deletes it when the request ends, whatever
 * the outcome. Workers and children only read them. A front killed with {@code kill -9} leaves its regions behind;
 * the next front on the same directory deletes them at start ({@link #sweep}).
 *
 * <p>Deleting a file that a child is reading is safe on Linux: its open descriptor keeps the pages until it is
 * closed, and a reader that opens the name after the delete gets REGION_UNAVAILABLE, for a request nobody waits for any more.
 * Thread-safe.
 */
public final class SharedRegions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedRegions.class);
    private static final Pattern NAME = Pattern.compile("graypipe-(\\d+)-(\\d+)-\\d+");
    /**
     * Rasters smaller than this go inline even to a worker that shares memory: creating, mapping and deleting a
     * file costs more than copying a few hundred KB through a socket (docs/performance.md, 320×240).
     */
    static final long MIN_REGION_BYTES = 256 * 1024;

    private final Path directory;
    private final String hostId;
    private final String prefix;
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    /** Deletes run here, never on the event loop that ends a request. */
    private final ExecutorService deleter = Executors.newSingleThreadExecutor(
            new DefaultThreadFactory("graypipe-regions", true));

    private SharedRegions(Path directory, String hostId) {
        this.directory = directory;
        this.hostId = hostId;
        ProcessHandle self = ProcessHandle.current();
        this.prefix = "graypipe-" + self.pid() + "-" + startMillis(self).orElse(0L) + "-";
    }

    /**
     * Regions in {@code directory}, after sweeping what dead fronts left there; empty (and the reason logged) when
     * {@code directory} is null ({@code --shared-memory off}), not a writable directory, or the host has no boot id.
     */
    public static Optional<SharedRegions> open(Path directory) {
        if (directory == null) {
            log.info("shared memory: off (--shared-memory off); rasters travel inline");
            return Optional.empty();
        }
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            log.warn("shared memory: off; {} is not a writable directory, so rasters travel inline"
                    + " (pass --shared-memory DIR to choose another, or --shared-memory off)", dir);
            return Optional.empty();
        }
        Optional<String> hostId = SharedMemory.hostId(dir);
        if (hostId.isEmpty()) {
            log.warn("shared memory: off; this host has no readable boot id, so rasters travel inline");
            return Optional.empty();
        }
        SharedRegions regions = new SharedRegions(dir, hostId.get());
        int swept = regions.sweep();
        log.info("shared memory: regions in {}{}", dir, swept > 0 ? "; deleted " + swept + " left by dead fronts" : "");
        return Optional.of(regions);
    }

    /** What this front puts in its HELLO: boot id, ':', the directory. */
    public String hostId() {
        return hostId;
    }

    public Path directory() {
        return directory;
    }

    /** Regions created since start; /stats shows it. */
    public long created() {
        return created.get();
    }

    /** Regions that exist now (created and not yet deleted). */
    public int live() {
        return live.size();
    }

    /**
     * Writes {@code image}'s pixels into a new region and returns its name. Blocks for the copy (a memory copy
     * into tmpfs): call it on a worker thread, never an event loop.
     */
    String write(ImageData image) throws IOException {
        String name = prefix + nextSeq.incrementAndGet();
        Path file = directory.resolve(name);
        live.add(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer pixels = ByteBuffer.wrap(image.data());
            while (pixels.hasRemaining()) {
                channel.write(pixels);
            }
        } catch (IOException | RuntimeException e) {
            delete(name);
            throw e;
        }
        created.incrementAndGet();
        return name;
    }

    /** Deletes region {@code name} soon, off the caller's thread. */
    void release(String name) {
        try {
            deleter.execute(() -> delete(name));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            delete(name); // closing: close() deletes whatever is left anyway
        }
    }

    private void delete(String name) {
        try {
            Files.deleteIfExists(directory.resolve(name));
        } catch (IOException e) {
            log.warn("cannot delete shared-memory region {}: {}", directory.resolve(name), e.toString());
        }
        live.remove(name);
    }

    /**
     * Deletes every region in the directory whose front is gone: no process with its pid, or one that started at
     * another time (the pid was reused). Returns how many.
     */
    int sweep() {
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "graypipe-*")) {
            for (Path entry : entries) {
                Matcher match = NAME.matcher(entry.getFileName().toString());
                if (match.matches() && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)
                        && !ownerAlive(Long.parseLong(match.group(1)), Long.parseLong(match.group(2)))) {
                    Files.deleteIfExists(entry);
                    deleted++;
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot sweep shared-memory regions in {}: {}", directory, e.toString());
        }
        return deleted;
    }

    private static boolean ownerAlive(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(SharedRegions::startMillis).map(start -> start == startMillis).orElse(false);
    }

    private static Optional<Long> startMillis(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli);
    }

    /** Deletes every region still held; requests still in flight then get REGION_UNAVAILABLE, as they would anyway. */
    @Override
    public void close() {
        deleter.shutdown();
        try {
            deleter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set.copyOf(live).forEach(this::delete);
    }
}
