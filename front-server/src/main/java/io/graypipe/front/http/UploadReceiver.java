package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.SafeText;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives one upload body without touching the disk on the event loop: each chunk is handed to the upload
 * executor in order, where its {@link BodyDecoder} ({@link MultipartBody} or {@link RawBody}) keeps small bodies
 * in memory and spills large ones to a temporary file. When too many bytes wait for the executor, reading from
 * the socket pauses until they drain.
 */
final class UploadReceiver {
    private static final Logger log = LoggerFactory.getLogger(UploadReceiver.class);
    private static final long PAUSE_ABOVE_BYTES = 4L << 20;
    private static final long RESUME_BELOW_BYTES = 1L << 20;
    /**
     * A body kept in memory waits until this many bytes (or its last chunk) are queued before an upload thread is
     * woken for it: its work per chunk is only keeping the buffer, and a wake-up per 64 KiB chunk cost more than
     * that (a 4K upload was 42 hand-offs).
     */
    private static final long DRAIN_ABOVE_BYTES = 1L << 20;
    private static final long RETRY_DRAIN_MILLIS = 50;
    static final String DISK_FULL = "the server's upload disk is full; send it again after the Retry-After delay";

    private final Channel channel;
    private final Executor io;
    private final BodyDecoder decoder;
    private final AtomicLong queuedBytes = new AtomicLong();
    /**
     * Whether chunks are handed over in batches ({@link #DRAIN_ABOVE_BYTES}): only for a body kept in memory
     * ({@link BodyDecoder#keptInMemory}). One spooled to a file, or parsed as multipart, is consumed as it arrives,
     * so it spills as it comes.
     */
    private final boolean batchChunks;
    private final CompletableFuture<ReceivedBody> completion = new CompletableFuture<>();
    /**
     * This body's work, run in order by at most one upload thread at a time, so the upload executor holds at most
     * one task per body and its bounded queue bounds the bodies in progress. Adding to this queue and polling
     * from it is the happens-before edge between the event loop that offers a chunk and the thread that consumes
     * it; {@code draining} (set by the drainer last, read by the next scheduler) orders one drain after the other.
     */
    private final Queue<Runnable> steps = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean failed;
    /**
     * Whether this receiver turned auto-read off: written on the event loop, read by the upload thread, which wakes
     * the event loop to resume only when it was paused.
     */
    private volatile boolean pausedReading;
    /** Event-loop state: whether the last chunk came. */
    private boolean lastOffered;

    private UploadReceiver(Channel channel, Executor io, BodyDecoder decoder) {
        this.channel = channel;
        this.io = io;
        this.decoder = decoder;
        this.batchChunks = decoder.keptInMemory();
    }

    /** A receiver for a {@code multipart/form-data} body; refused at once if its boundary is unusable. */
    static UploadReceiver multipart(Channel channel, Executor io, HttpDataFactory factory, HttpRequest request) {
        return new UploadReceiver(channel, io, MultipartBody.open(factory, request));
    }

    /** A receiver for a body that is the image itself. */
    static UploadReceiver raw(Channel channel, Executor io, HttpDataFactory factory, HttpRequest request) {
        return new UploadReceiver(channel, io, RawBody.open(factory, request));
    }

    CompletableFuture<ReceivedBody> completion() {
        return completion;
    }

    /** Queues one chunk; called on the event loop, which must release nothing itself afterwards. */
    void offer(HttpContent chunk) {
        long size = chunk.content().readableBytes();
        boolean last = chunk instanceof LastHttpContent;
        lastOffered |= last;
        if (queuedBytes.addAndGet(size) > PAUSE_ABOVE_BYTES && !last) {
            pausedReading = true;
            channel.config().setAutoRead(false);
        }
        chunk.retain();
        long queued = queuedBytes.get();
        steps.add(() -> {
            try {
                if (!failed) {
                    ReceivedBody whole = decoder.offer(chunk, last);
                    if (whole != null) {
                        completion.complete(whole);
                    }
                }
            } catch (Throwable e) {
                fail(e);
            } finally {
                chunk.release();
                if (queuedBytes.addAndGet(-size) < RESUME_BELOW_BYTES && pausedReading) {
                    channel.eventLoop().execute(this::resumeReading);
                }
            }
        });
        // A batched body that stops short of DRAIN_ABOVE_BYTES without its last chunk is drained by abort(), which
        // every early end of an exchange calls (timeout, closed connection, shutdown), so no chunk stays retained.
        if (!batchChunks || last || queued >= DRAIN_ABOVE_BYTES) {
            scheduleDrain();
        }
    }

    private void enqueue(Runnable step) {
        steps.add(step);
        scheduleDrain();
    }

    /**
     * Hands this body's queued steps to the upload executor unless a drain is already under way. When the
     * executor's queue is full, the upload fails with 503 overloaded; its steps still run later (they only
     * release chunks once the body has failed), retried from the event loop, so nothing leaks.
     */
    private void scheduleDrain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        try {
            io.execute(this::drain);
        } catch (RejectedExecutionException full) {
            draining.set(false);
            if (completion.completeExceptionally(new FrontException(ErrorCode.OVERLOADED,
                    "the server is busy receiving other uploads; retry after the Retry-After delay"))) {
                failed = true;
                // After the steps already queued, which now only release their chunks.
                steps.add(this::destroy);
            }
            if (!channel.eventLoop().isShuttingDown()) {
                channel.eventLoop().schedule(this::scheduleDrain, RETRY_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void drain() {
        for (Runnable step = steps.poll(); step != null; step = steps.poll()) {
            step.run();
        }
        draining.set(false);
        // A step added after the last poll, while draining was still true, found nobody to schedule it.
        if (!steps.isEmpty()) {
            scheduleDrain();
        }
    }

    /**
     * Turns auto-read back on, but only if this receiver turned it off and the body is still arriving: after the
     * last chunk, reading belongs to the request handler, which keeps it off until the answer is written.
     */
    private void resumeReading() {
        if (pausedReading && !lastOffered && queuedBytes.get() < RESUME_BELOW_BYTES) {
            pausedReading = false;
            channel.config().setAutoRead(true);
        }
    }

    /** Drops the body, whatever state it is in; safe from any thread and more than once. */
    void abort() {
        enqueue(() -> {
            if (completion.isDone()) {
                // The body was handed on (its new owner releases it) or already destroyed on failure.
                return;
            }
            failed = true;
            destroy();
            // Whoever aborts has answered the client already; a cancelled body gets no second answer.
            completion.cancel(false);
        });
    }

    private void fail(Throwable e) {
        failed = true;
        destroy();
        if (!(e instanceof FrontException)) {
            log.warn("an upload could not be received: {}", SafeText.forLog(String.valueOf(e)));
        }
        completion.completeExceptionally(e instanceof FrontException ? e : receiveError(e));
    }

    /**
     * What the client is told when its body could not be received for a reason that is no FrontException: a full
     * upload disk is the server's trouble ({@link #diskFull}), anything else a body that could not be read.
     */
    static FrontException receiveError(Throwable e) {
        return diskFull(e) ? new FrontException(ErrorCode.STORAGE_FULL, DISK_FULL)
                : new FrontException(ErrorCode.MALFORMED_MULTIPART, MultipartBody.UNREADABLE_BODY);
    }

    /**
     * Whether spooling the upload failed because the upload directory's disk is full: the server's trouble, not
     * the client's (503 with Retry-After, not 400). ENOSPC and EDQUOT reach Java only as the C library's text.
     */
    static boolean diskFull(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause instanceof IOException ? String.valueOf(cause.getMessage()) : "";
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    private void destroy() {
        decoder.destroy();
    }
}
