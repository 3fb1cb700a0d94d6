package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.pipeline.Upload;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpData;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.graypipe.protocol.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives one upload body, multipart or raw, without touching the disk on the event loop: each chunk is handed
 * to the upload executor in order, where Netty's multipart decoder or a raw {@link HttpData} keeps small bodies in
 * memory and spills large ones to a temporary file. When too many bytes wait for the executor, reading from the
 * socket pauses until they drain.
 */
final class UploadReceiver {
    private static final Logger log = LoggerFactory.getLogger(UploadReceiver.class);
    private static final long PAUSE_ABOVE_BYTES = 4L << 20;
    private static final long RESUME_BELOW_BYTES = 1L << 20;
    private static final int MAX_FIELD_CHARS = 256;
    /** How many of a body's other file fields a missing_image answer names. */
    private static final int QUOTED_FIELD_NAMES = 5;
    private static final long RETRY_DRAIN_MILLIS = 50;
    /** Form fields per body; more is not a graypipe client. */
    private static final int MAX_FIELDS = 64;
    /**
     * Longest stretch the multipart decoder may buffer while looking for the end of a part header or field; bounds
     * memory per upload, yet lets through absurd but harmless headers such as a 10 KB filename.
     */
    private static final int MAX_BUFFERED_BYTES = 64 * 1024;
    static final String UNPARSABLE_PART_HEADER = "a multipart part header could not be parsed: each part needs "
            + "Content-Disposition: form-data; name=\"...\" (and filename=\"...\" for the image); let your HTTP client "
            + "build the body (curl -F image=@photo.jpg)";
    static final String UNUSABLE_BOUNDARY = "the multipart Content-Type has no usable boundary (boundary= needs 1 to 70 "
            + "characters); let your HTTP client build the body (curl -F image=@photo.jpg)";
    static final String MALFORMED_BODY = "the multipart body is malformed: its boundaries or part headers do not follow "
            + "multipart/form-data (RFC 7578); let your HTTP client build it (curl -F image=@photo.jpg)";
    static final String UNREADABLE_BODY = "the upload could not be read to its end; send it again";
    static final String DISK_FULL = "the server's upload disk is full; send it again after the Retry-After delay";
    static final String TOO_MANY_FIELDS = "the multipart body has more than " + MAX_FIELDS
            + " fields; send the image in field 'image' and at most scale, format and quality";
    static final String FIELD_TOO_LONG = "a multipart part header or text field is longer than " + MAX_BUFFERED_BYTES
            + " bytes; let your HTTP client build the body (curl -F image=@photo.jpg)";
    static final String INCOMPLETE_BODY = "the multipart body ended before its closing boundary; the upload is incomplete";
    /** Every message a {@code malformed_multipart} answer can have: graypipe's own words, never an exception's. */
    static final List<String> MALFORMED_MESSAGES = List.of(UNPARSABLE_PART_HEADER, UNUSABLE_BOUNDARY, MALFORMED_BODY,
            UNREADABLE_BODY, TOO_MANY_FIELDS, FIELD_TOO_LONG, INCOMPLETE_BODY);

    /**
     * The parsed body: the image files found in fields {@code image} or {@code file}, and every value of each
     * text field in order.
     */
    record ReceivedBody(List<Upload> files, Map<String, List<String>> fieldValues) {
        /** The first value of each text field. */
        Map<String, String> fields() {
            return HttpExchange.firstValues(fieldValues);
        }
    }

    private final Channel channel;
    private final Executor io;
    private final HttpPostRequestDecoder multipart;
    private final HttpData raw;
    private final AtomicLong queuedBytes = new AtomicLong();
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
    /** Event-loop state: whether this receiver turned auto-read off, and whether the last chunk came. */
    private boolean pausedReading;
    private boolean lastOffered;

    private UploadReceiver(Channel channel, Executor io, HttpPostRequestDecoder multipart, HttpData raw) {
        this.channel = channel;
        this.io = io;
        this.multipart = multipart;
        this.raw = raw;
    }

    /**
     * A receiver for a {@code multipart/form-data} body. The boundary must be present and usable: Netty's decoder
     * throws a {@code StringIndexOutOfBoundsException} for an empty {@code boundary=}, which escaped as a dropped
     * connection, so the boundary is checked here first, and whatever the decoder still throws is answered with
     * graypipe's own words.
     */
    static UploadReceiver multipart(Channel channel, Executor io, HttpDataFactory factory, HttpRequest request) {
        if (!MultipartBoundary.usable(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNUSABLE_BOUNDARY);
        }
        try {
            return new UploadReceiver(channel, io, new HttpPostRequestDecoder(factory, request, StandardCharsets.UTF_8,
                    MAX_FIELDS, MAX_BUFFERED_BYTES), null);
        } catch (RuntimeException e) {
            log.debug("multipart header refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNUSABLE_BOUNDARY);
        }
    }

    /** A receiver for a body that is the image itself. */
    static UploadReceiver raw(Channel channel, Executor io, HttpDataFactory factory, HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        HttpData data = factory.createFileUpload(request, "image", "upload", type, "binary", null,
                HttpUtil.getContentLength(request, 0L));
        // This receiver releases the data itself; left registered, the factory would keep the request forever.
        factory.removeHttpDataFromClean(request, data);
        return new UploadReceiver(channel, io, null, data);
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
        enqueue(() -> {
            try {
                if (!failed) {
                    consume(chunk, last);
                }
            } catch (Throwable e) {
                fail(e);
            } finally {
                chunk.release();
                if (queuedBytes.addAndGet(-size) < RESUME_BELOW_BYTES) {
                    channel.eventLoop().execute(this::resumeReading);
                }
            }
        });
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

    private void consume(HttpContent chunk, boolean last) throws IOException {
        if (raw != null) {
            raw.addContent(chunk.content().retain(), last);
            if (last) {
                completion.complete(new ReceivedBody(List.of(upload(raw, null)), Map.of()));
            }
            return;
        }
        try {
            multipart.offer(chunk);
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, TOO_MANY_FIELDS);
        } catch (HttpPostRequestDecoder.TooLongFormFieldException e) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, FIELD_TOO_LONG);
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException e) {
            log.debug("multipart body refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, malformedBodyMessage(e));
        } catch (RuntimeException e) {
            // Netty's decoder is not proof against every part header: a part of type multipart/mixed without a
            // boundary of its own throws an ArrayIndexOutOfBoundsException ("Index 2 out of bounds for length 2").
            log.debug("multipart part refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNPARSABLE_PART_HEADER);
        }
        if (last) {
            completion.complete(collect());
        }
    }

    /**
     * The answer to a body Netty's decoder refused, in graypipe's words only: an exception's text is not a contract
     * (it changes between versions, may quote the JVM, or the client's own bytes). When the decoder's exception
     * only wraps a runtime exception (a part header without a usable {@code Content-Disposition} makes the decoder
     * dereference a missing name: fuzz finding F4 in docs/fuzzing.md), the answer says what a part header needs.
     */
    static String malformedBodyMessage(HttpPostRequestDecoder.ErrorDataDecoderException e) {
        boolean onlyWrapsARuntimeException = e.getCause() instanceof RuntimeException cause
                && String.valueOf(cause).equals(e.getMessage());
        return onlyWrapsARuntimeException ? UNPARSABLE_PART_HEADER : MALFORMED_BODY;
    }

    private ReceivedBody collect() throws IOException {
        if (multipart.currentPartialHttpData() != null) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, INCOMPLETE_BODY);
        }
        List<Upload> files = new ArrayList<>();
        Map<String, List<String>> fields = new HashMap<>();
        List<String> otherFileFields = new ArrayList<>();
        for (InterfaceHttpData data : multipart.getBodyHttpDatas()) {
            if (data instanceof FileUpload file) {
                if ("image".equals(file.getName()) || "file".equals(file.getName())) {
                    // Outlive the decoder: destroy() below releases every part once, cleanup releases them again.
                    multipart.removeHttpDataFromClean(file);
                    file.retain();
                    files.add(upload(file, file.getFilename()));
                } else {
                    otherFileFields.add(file.getName());
                }
            } else if (data instanceof Attribute attribute && attribute.length() <= MAX_FIELD_CHARS) {
                fields.computeIfAbsent(attribute.getName(), name -> new ArrayList<>()).add(attribute.getValue());
            }
        }
        multipart.destroy();
        if (files.isEmpty()) {
            throw new FrontException(ErrorCode.MISSING_IMAGE, otherFileFields.isEmpty()
                    ? "the multipart body has no file; send the image in form field 'image' (curl -F image=@photo.jpg)"
                    : "no file in form field 'image' or 'file' (found " + fieldNames(otherFileFields)
                    + "); name the field 'image'");
        }
        return new ReceivedBody(files, fields);
    }

    /**
     * The client's field names as they can be quoted back: the first few, each clipped, since a body can hold
     * many and a name can be long (Netty's decoder has already turned control characters into spaces).
     */
    private static String fieldNames(List<String> names) {
        String quoted = names.stream().limit(QUOTED_FIELD_NAMES)
                .map(name -> "'" + HttpResponses.clip(name) + "'")
                .collect(Collectors.joining(", "));
        return names.size() <= QUOTED_FIELD_NAMES ? quoted
                : quoted + " and " + (names.size() - QUOTED_FIELD_NAMES) + " more";
    }

    private void fail(Throwable e) {
        failed = true;
        destroy();
        if (!(e instanceof FrontException)) {
            log.warn("an upload could not be received: {}", SafeText.forLog(String.valueOf(e)));
        }
        completion.completeExceptionally(e instanceof FrontException ? e
                : diskFull(e) ? new FrontException(ErrorCode.STORAGE_FULL, DISK_FULL)
                : new FrontException(ErrorCode.MALFORMED_MULTIPART, UNREADABLE_BODY));
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
        if (raw != null) {
            if (raw.refCnt() > 0) {
                raw.release();
            }
        } else {
            try {
                multipart.destroy();
            } catch (IllegalStateException alreadyDestroyed) {
                // destroy() ran when the body was collected; nothing left to free.
            }
        }
    }

    private static Upload upload(HttpData data, String filename) throws IOException {
        if (data.isInMemory()) {
            // One copy out of the received chunks gives ImageIO a plain array to read, instead of a cache it
            // fills block by block, and frees the chunks at once.
            byte[] bytes = ByteBufUtil.getBytes(data.getByteBuf());
            data.release();
            return new Upload(ImageSource.of(bytes), filename, () -> { });
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                data.release();
            }
        };
        return new Upload(ImageSource.of(data.getFile().toPath()), filename, release);
    }
}
