package io.graypipe.front.http;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.ClientId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One request, from its head to its answer: everything that belongs to this request and not to the connection.
 * An endpoint decides how the request is answered (after its ignored body, later, as an event stream, or after
 * receiving an upload); {@link HttpRequestHandler} feeds it the body and is told when the answer is written.
 *
 * <p><b>Threads.</b> The exchange is created and driven on the connection's event loop. Its answer may be
 * written from another thread (a gray thread, the storage executor, the worker client's loop). Everything that
 * thread reads was written on the event loop before the work that leads to the answer was handed over: the
 * hand-over (an executor's {@code execute}, a {@link CompletableFuture} completed by that work) is the
 * happens-before edge. {@link #keepAlive} is the one field the event loop may change while another thread
 * answers; it is volatile.
 */
final class HttpExchange {
    private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);

    /** Told when the answer of an exchange has been written (or failed to be), from any thread. */
    interface Connection {
        void answered(HttpExchange exchange, boolean reuse);
    }

    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final long startNanos = System.nanoTime();
    private final RequestObserver observer;
    private final Connection connection;
    /** Read from the request's URI by {@link #readTarget()}, on the event loop, before routing. */
    private Map<String, List<String>> queryValues;
    private Map<String, String> query;
    private String path;
    /** Set on the event loop while routing, before any answer is started. */
    private String route = Route.UNMATCHED;
    /** Whether the connection may serve another request after this one; cleared on the event loop. */
    private volatile boolean keepAlive;
    /** Event loop only: the body being received, and how much of it came. */
    private UploadReceiver receiver;
    private long receivedBytes;
    /** The event stream or archive this request is answered with, once it is; ended early on shutdown. */
    private volatile EventStream stream;
    private volatile boolean archiving;
    /** Event loop only: what answers a body-less request once its (ignored) body has been read. */
    private Runnable afterBody;
    /** Who sent the request and their limit; set by {@link ClientGate} while routing, before any answer starts. */
    private AccessControl.Admission admission = new AccessControl.Admission(ClientId.UNKNOWN, null);
    /** The client's rate-limit state for this answer's headers; written by whichever thread spent. */
    private volatile RateLimits.Verdict rateLimit;

    HttpExchange(ChannelHandlerContext ctx, HttpRequest request, RequestObserver observer, Connection connection) {
        this.ctx = ctx;
        this.request = request;
        this.observer = observer;
        this.connection = connection;
        this.keepAlive = request != null && HttpUtil.isKeepAlive(request);
    }

    /** The exchange of a request whose head has not arrived whole, answered only to say it took too long. */
    static HttpExchange beforeRequest(ChannelHandlerContext ctx, RequestObserver observer, Connection connection) {
        return new HttpExchange(ctx, null, observer, connection);
    }

    /**
     * Reads the path and query from the URI of a request the decoder accepted; throws {@link FrontException}
     * ({@code bad_request}) for a malformed %-escape ({@link RequestTarget#of}).
     */
    void readTarget() {
        RequestTarget target = RequestTarget.of(request.uri());
        queryValues = target.values();
        query = firstValues(queryValues);
        path = target.path();
    }

    HttpRequest request() {
        return request;
    }

    /** The first value of each query parameter. */
    Map<String, String> query() {
        return query;
    }

    /** Every value of each query parameter, in order, for the ones that may repeat ({@code ops}). */
    Map<String, List<String>> queryValues() {
        return queryValues;
    }

    String path() {
        return path;
    }

    String route() {
        return route;
    }

    void route(String template) {
        route = template;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    void admitted(AccessControl.Admission admitted) {
        admission = admitted;
    }

    AccessControl.Admission admission() {
        return admission;
    }

    /** The client that sent this request ({@link ClientId#UNKNOWN} before it is known). */
    ClientId client() {
        return admission.client();
    }

    void rateLimit(RateLimits.Verdict verdict) {
        rateLimit = verdict;
    }

    /** The IETF {@code RateLimit-Policy} and {@code RateLimit} headers, and {@code Retry-After} on a 429. */
    private void rateLimitHeaders(HttpResponse response) {
        RateLimits.Verdict verdict = rateLimit;
        if (verdict == null) {
            return;
        }
        response.headers().set("RateLimit-Policy", verdict.limit().policy());
        response.headers().set("RateLimit", verdict.header());
        if (response.status().equals(HttpResponseStatus.TOO_MANY_REQUESTS)) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, verdict.retryAfterSeconds() < 0
                    ? verdict.resetSeconds() : verdict.retryAfterSeconds()));
        }
    }

    /** From now on the connection closes after this answer. */
    void closeAfterAnswer() {
        keepAlive = false;
    }

    // ---- how the request is answered, chosen by its endpoint

    /** Answers once the request's (ignored) body has been read, so the connection stays usable. */
    void answerAfterBody(Supplier<FullHttpResponse> response) {
        afterBody = () -> {
            FullHttpResponse built;
            try {
                built = response.get();
            } catch (MethodNotAllowed e) {
                built = e.response();
            } catch (FrontException e) {
                built = HttpResponses.error(e);
            }
            answer(built);
        };
    }

    /** Like {@link #answerAfterBody}, for answers that are ready only later; they are written when they are. */
    void answerLaterAfterBody(Supplier<CompletableFuture<FullHttpResponse>> response) {
        afterBody = () -> {
            CompletableFuture<FullHttpResponse> later;
            try {
                later = response.get();
            } catch (FrontException e) {
                later = CompletableFuture.completedFuture(HttpResponses.error(e));
            }
            later.whenComplete((built, error) -> answer(error == null ? built : failure(error)));
        };
    }

    /**
     * Answers with an event stream once the body has been read. {@code opener} runs then: it may refuse with a
     * {@link FrontException} (answered as usual), or return what feeds the open stream. The connection is reused
     * once the stream ends, like after any answer.
     */
    void streamAfterBody(Supplier<CompletableFuture<Consumer<EventStream>>> opener) {
        afterBody = () -> {
            CompletableFuture<Consumer<EventStream>> feed;
            try {
                feed = opener.get();
            } catch (FrontException e) {
                answer(HttpResponses.error(e));
                return;
            }
            // A feed known only later (the task looked up in a shared store) opens the stream from that thread:
            // EventStream only queues writes on the channel.
            feed.whenComplete((ready, error) -> {
                if (error != null) {
                    answer(failure(error));
                    return;
                }
                observer.answered(route, request.method().name(), HttpResponseStatus.OK.code(), startNanos);
                boolean reuse = keepAlive;
                EventStream opened = EventStream.open(ctx.channel(), reuse);
                opened.finished().thenAccept(written -> connection.answered(this, reuse && written));
                stream = opened;
                ready.accept(opened);
            });
        };
    }

    /** Ends the event stream this request is answered with, if any; its client reconnects with Last-Event-ID. */
    void endStream() {
        EventStream open = stream;
        if (open != null) {
            open.end();
        }
    }

    /** Whether the answer is streamed (events or a ZIP) rather than one response. */
    boolean streaming() {
        return stream != null || archiving;
    }

    /** The {@code Last-Event-ID} a reconnecting event-stream client sent, or null. */
    String lastEventId() {
        return request.headers().get("Last-Event-ID");
    }

    /**
     * Answers with a batch's ZIP, streamed, once the body has been read. {@code opener} may refuse with a
     * {@link FrontException} (answered as usual); otherwise the archive starts writing, and the connection is reused
     * once its last chunk is written.
     */
    void archiveAfterBody(Supplier<CompletableFuture<BatchArchive>> opener, String disposition) {
        afterBody = () -> {
            CompletableFuture<BatchArchive> later;
            try {
                later = opener.get();
            } catch (FrontException e) {
                answer(HttpResponses.error(e));
                return;
            }
            // The batch may be read from a shared store, on its thread: the archive starts on the event loop.
            later.whenComplete((archive, error) -> ctx.executor().execute(() -> {
                if (error != null) {
                    answer(failure(error));
                } else {
                    startArchive(archive, disposition);
                }
            }));
        };
    }

    private void startArchive(BatchArchive archive, String disposition) {
        String etag = archive.etag();
        if (CacheHeaders.matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            answer(CacheHeaders.notModified(etag, "private, no-cache"));
            return;
        }
        try {
            ChunkedWriteHandler chunked = ctx.pipeline().get(ChunkedWriteHandler.class);
            archive.start(chunked::resumeTransfer, () -> ctx.channel().close(), ctx.executor());
        } catch (FrontException e) {
            answer(HttpResponses.error(e));
            return;
        }
        observer.answered(route, request.method().name(), HttpResponseStatus.OK.code(), startNanos);
        archiving = true;
        boolean reuse = keepAlive;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/zip");
        head.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, disposition);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.ETAG, etag);
        head.headers().set(HttpHeaderNames.CONNECTION, reuse ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        rateLimitHeaders(head);
        ctx.channel().write(head, ctx.channel().voidPromise());
        ctx.channel().writeAndFlush(new HttpChunkedInput(archive)).addListener(done -> {
            if (!reuse || !done.isSuccess()) {
                ctx.channel().close();
            }
            connection.answered(this, reuse && done.isSuccess());
        });
    }

    /** Answers {@code response} once the request's body, which must be empty, has been read. */
    void answerAfterBody(FullHttpResponse response) {
        afterBody = () -> answer(response);
    }

    /**
     * Receives the body into {@code receiving} and answers with what {@code handOn} makes of it. A body that
     * cannot be read is answered with its error; an aborted one gets no second answer.
     */
    void receive(UploadReceiver receiving,
                 Function<UploadReceiver.ReceivedBody, CompletableFuture<FullHttpResponse>> handOn) {
        receiver = receiving;
        receiving.completion().whenComplete((body, error) -> {
            if (error instanceof CancellationException) {
                return;
            }
            if (error != null) {
                answer(HttpResponses.error(UploadRequests.receiveFailure(error)));
                return;
            }
            // The body was handed over, nothing to abort now; the receiver field belongs to the event loop.
            ctx.executor().execute(() -> {
                if (receiver == receiving) {
                    receiver = null;
                }
            });
            handOn.apply(body).whenComplete((response, failure) -> {
                if (failure != null) {
                    log.error("unexpected failure answering an upload", failure);
                    response = HttpResponses.error(ErrorCode.INTERNAL,
                            "an unexpected server error occurred; it has been logged");
                }
                answer(response);
            });
        });
    }

    boolean receivesBody() {
        return receiver != null;
    }

    // ---- the body, fed by the connection on the event loop

    /** Queues a chunk of the body; returns false, having dropped the body, when it passes {@code maxBytes}. */
    boolean offer(HttpContent content, long maxBytes) {
        receivedBytes += content.content().readableBytes();
        if (receivedBytes > maxBytes) {
            abortBody();
            return false;
        }
        receiver.offer(content);
        return true;
    }

    /** Drops the body being received, if any. */
    void abortBody() {
        if (receiver != null) {
            receiver.abort();
            receiver = null;
        }
    }

    /** Runs the answer chosen for a body-less request, now that its body has been read. */
    void bodyRead() {
        afterBody.run();
    }

    /** Whether the request's body is still to come: then an early answer must close the connection. */
    boolean bodyPending() {
        // A request the decoder rejected has unreliable framing (its Content-Length may not even be a number).
        return request == null || request.decoderResult().isFailure()
                || !(request instanceof FullHttpRequest)
                && (HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request));
    }

    // ---- the answer

    /**
     * Sends the answer from any thread, and tells the connection once it is written, with whether the connection
     * may be reused.
     */
    void answer(FullHttpResponse response) {
        rateLimitHeaders(response);
        observer.answered(route, request == null ? "" : request.method().name(), response.status().code(),
                startNanos);
        boolean reuse = keepAlive;
        HttpResponses.send(ctx.channel(), response, reuse).addListener(done -> connection.answered(this, reuse));
    }

    private static FullHttpResponse failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FrontException e) {
            return HttpResponses.error(e);
        }
        log.error("unexpected failure building an answer", cause);
        return HttpResponses.error(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }

    static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new HashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }
}
