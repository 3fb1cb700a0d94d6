package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.json.Json;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code GET /batches/{id}/archive}: a finished batch's results as one ZIP, streamed. The ZIP is written on the
 * storage executor, one result at a time read from the task store, into a queue of chunks that Netty's
 * {@code ChunkedWriteHandler} drains on the event loop as the client reads. Above {@link #PAUSE_ABOVE_BYTES}
 * queued the writer stops and hands its thread back; the event loop starts it again below
 * {@link #RESUME_BELOW_BYTES}. So memory holds at most about one result plus the queue, whatever the batch's size,
 * and a slow client holds no thread.
 *
 * <p>Entries: {@code <variant>/<file>} per done task ({@code <mode>/<variant>/<file>} when the batch ran in more
 * than one mode), stored uncompressed (the images are compressed already), and {@code manifest.json} last: every
 * task of the batch with its entry, or why it has none (failed, cancelled, result no longer kept).
 *
 * <p><b>Threads.</b> {@link #produce} runs on one storage thread at a time ({@link #producing} hands the turn
 * over); the queue and the byte count are concurrent; {@link #readChunk} runs on the event loop.
 */
final class BatchArchive implements ChunkedInput<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(BatchArchive.class);
    static final long PAUSE_ABOVE_BYTES = 1 << 20;
    static final long RESUME_BELOW_BYTES = 256 << 10;
    private static final int CHUNK_BYTES = 64 << 10;
    private static final long RETRY_FULL_STORAGE_MILLIS = 100;

    /** One line of {@code manifest.json}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ManifestEntry(String filename, String variant, String mode, String taskId, TaskState status,
                         String entry, Long bytes, ErrorInfo error) {
    }

    /** {@code manifest.json}: the batch and every one of its tasks, in the order they joined. */
    record Manifest(String batchId, int total, int done, int failed, List<ManifestEntry> tasks) {
    }

    private final String batchId;
    private final List<Batch.BatchStatus.Item> members;
    private final List<String> entryNames = new ArrayList<>();
    private final List<ManifestEntry> manifest = new ArrayList<>();
    private final AsyncTasks tasks;
    private final Queue<ByteBuf> chunks = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicBoolean producing = new AtomicBoolean();
    private final ZipOutputStream zip;
    /** Storage thread only (one at a time, handed over through {@link #producing}). */
    private int next;
    private volatile boolean written;
    private volatile boolean closed;
    private volatile Runnable resume = () -> { };
    private volatile Runnable abort = () -> { };
    /** The connection's event loop: {@link #readChunk} runs there, and retries a full storage queue from there. */
    private volatile ScheduledExecutorService eventLoop;

    /** The strong ETag of this archive: the same members with the same results make the same ZIP. */
    String etag() {
        return CacheHeaders.archiveEtag(batchId, members);
    }

    /** The archive of {@code batch}, which must be finished: its tasks are final and fixed. */
    BatchArchive(Batch.BatchStatus batch, AsyncTasks tasks) {
        this.batchId = batch.id();
        this.members = batch.tasks();
        this.tasks = tasks;
        this.zip = new ZipOutputStream(new BufferedOutputStream(new ChunkSink(), CHUNK_BYTES));
        boolean severalModes = members.stream().map(m -> String.valueOf(m.mode())).distinct().count() > 1;
        ArchiveNames names = new ArchiveNames();
        for (int i = 0; i < members.size(); i++) {
            Batch.BatchStatus.Item member = members.get(i);
            TaskStatus status = member.task();
            entryNames.add(status.status() != TaskState.DONE ? null : names.next(
                    severalModes ? (member.mode() == null ? "default" : member.mode()) : null, member.variant(),
                    member.filename(), status.output().format(), "image-" + (i + 1)));
        }
    }

    /**
     * Starts writing on the storage executor; {@code resume} is called (from any thread) whenever chunks were
     * queued, {@code abort} if the ZIP cannot be completed (the client must not take a cut ZIP for a whole one).
     * Throws OVERLOADED when the storage queue is full.
     */
    void start(Runnable resume, Runnable abort, ScheduledExecutorService eventLoop) {
        this.resume = resume;
        this.abort = abort;
        this.eventLoop = eventLoop;
        producing.set(true);
        tasks.readOnStorage(this::produce);
    }

    /** Writes entries until the queue is full or the ZIP is complete; then gives the turn back. */
    private void produce(AsyncTasks.ResultReader reader) {
        try {
            while (true) {
                while (!closed && !written && queuedBytes.get() < PAUSE_ABOVE_BYTES) {
                    if (next < members.size()) {
                        writeMember(reader, next++);
                    } else {
                        finish();
                    }
                }
                producing.set(false);
                resume.run();
                // The event loop may have drained the queue between the check above and the flag: look again.
                if (closed || written || queuedBytes.get() >= RESUME_BELOW_BYTES || !producing.compareAndSet(false, true)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("the archive of batch {} could not be written", batchId, e);
            close();
            abort.run();
        }
    }

    private void writeMember(AsyncTasks.ResultReader reader, int index) throws IOException {
        Batch.BatchStatus.Item member = members.get(index);
        TaskStatus status = member.task();
        String entry = entryNames.get(index);
        if (entry == null) {
            manifest.add(new ManifestEntry(member.filename(), member.variant(), member.mode(), status.id(),
                    status.status(), null, null, status.error()));
            return;
        }
        byte[] image;
        try {
            image = reader.read(status.id());
        } catch (AsyncTasks.ResultGone gone) {
            // Any other failure (Redis away for a moment) aborts the ZIP: it must not pass for a whole one.
            manifest.add(new ManifestEntry(member.filename(), member.variant(), member.mode(), status.id(),
                    status.status(), null, null, new ErrorInfo("task_not_found",
                    "the result is no longer kept (deleted or expired)")));
            return;
        }
        ZipEntry zipEntry = new ZipEntry(entry);
        zipEntry.setMethod(ZipEntry.STORED);
        zipEntry.setSize(image.length);
        zipEntry.setCompressedSize(image.length);
        CRC32 crc = new CRC32();
        crc.update(image);
        zipEntry.setCrc(crc.getValue());
        zip.putNextEntry(zipEntry);
        zip.write(image);
        zip.closeEntry();
        zip.flush();
        manifest.add(new ManifestEntry(member.filename(), member.variant(), member.mode(), status.id(),
                status.status(), entry, (long) image.length, null));
    }

    private void finish() throws IOException {
        int done = (int) manifest.stream().filter(m -> m.entry() != null).count();
        int failed = (int) manifest.stream().filter(m -> m.status() == TaskState.FAILED).count();
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(Json.bytes(new Manifest(batchId, members.size(), done, failed, manifest)));
        zip.closeEntry();
        zip.close();
        written = true;
    }

    /** What the ZIP stream writes goes here, as chunks for the event loop. */
    private final class ChunkSink extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (closed || length == 0) {
                return;
            }
            chunks.add(Unpooled.copiedBuffer(bytes, offset, length));
            queuedBytes.addAndGet(length);
            resume.run();
        }
    }

    @Override
    public boolean isEndOfInput() {
        return written && chunks.isEmpty();
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) {
        ByteBuf chunk = chunks.poll();
        if (chunk == null) {
            // Nothing queued yet: the handler waits for the next resume().
            return null;
        }
        long left = queuedBytes.addAndGet(-chunk.readableBytes());
        sentBytes.addAndGet(chunk.readableBytes());
        if (left < RESUME_BELOW_BYTES) {
            wake();
        }
        return chunk;
    }

    /** Hands the writer a storage thread again, unless it has one; a full storage queue is tried again soon. */
    private void wake() {
        if (written || closed || !producing.compareAndSet(false, true)) {
            return;
        }
        try {
            tasks.readOnStorage(this::produce);
        } catch (RuntimeException full) {
            producing.set(false);
            eventLoop.schedule(this::wake, RETRY_FULL_STORAGE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public long length() {
        return -1;
    }

    @Override
    public long progress() {
        return sentBytes.get();
    }

    /** The client went away or the answer ended: stop writing and free what is queued. */
    @Override
    public void close() {
        closed = true;
        releaseQueued();
    }

    private void releaseQueued() {
        for (ByteBuf chunk = chunks.poll(); chunk != null; chunk = chunks.poll()) {
            chunk.release();
        }
    }
}
