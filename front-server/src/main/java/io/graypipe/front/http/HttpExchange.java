package io.graypipe.front.http;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.ClientId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One request, from its head to its answer: everything that belongs to this request and not to the connection.
 * An endpoint decides how the request is answered (after its ignored body, later, as an event stream, or after
 * receiving an upload); {@link HttpRequestHandler} feeds it the body and is told when the answer is written. An
 * upload body is taken in by the exchange's {@link BodyIntake}, and an answer written as a stream (events, a ZIP)
 * by its {@link StreamedAnswer}.
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
    private RequestTarget target;
    /** Set on the event loop while routing, before any answer is started. */
    private String route = Route.UNMATCHED;
    /** Whether the connection may serve another request after this one; cleared on the event loop. */
    private volatile boolean keepAlive;
    /** The upload body, if the endpoint receives one. */
    private final BodyIntake body = new BodyIntake(this);
    /** The event stream or archive this request may be answered with; ended early on shutdown. */
    private final StreamedAnswer streamed = new StreamedAnswer(this);
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
        target = RequestTarget.of(request.uri());
    }

    HttpRequest request() {
        return request;
    }

    /** The first value of each query parameter. */
    Map<String, String> query() {
        return target.query();
    }

    /** Every value of each query parameter, in order, for the ones that may repeat ({@code ops}). */
    Map<String, List<String>> queryValues() {
        return target.queryValues();
    }

    String path() {
        return target.path();
    }

    String route() {
        return route;
    }

    void route(String template) {
        route = template;
    }

    /** When the request's head was read ({@link System#nanoTime()}): where its {@code Server-Timing} starts. */
    long startNanos() {
        return startNanos;
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

    /** The client's rate-limit headers, on any answer of this exchange. */
    void addRateLimitHeaders(HttpResponse response) {
        RateLimitHeaders.set(response, rateLimit);
    }

    /** From now on the connection closes after this answer. */
    void closeAfterAnswer() {
        keepAlive = false;
    }

    /** Whether the connection may serve another request after this one, as things stand now. */
    boolean keepAlive() {
        return keepAlive;
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
                } else {
                    streamed.openEvents(ready);
                }
            });
        };
    }

    /** Ends the event stream this request is answered with, if any; its client reconnects with Last-Event-ID. */
    void endStream() {
        streamed.end();
    }

    /** Whether the answer is streamed (events or a ZIP) rather than one response. */
    boolean streaming() {
        return streamed.streaming();
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
                    streamed.startArchive(archive, disposition);
                }
            }));
        };
    }

    /** Answers {@code response} once the request's body, which must be empty, has been read. */
    void answerAfterBody(FullHttpResponse response) {
        afterBody = () -> answer(response);
    }

    /** The upload body of this request as it arrives, once an endpoint chose to receive one. */
    BodyIntake body() {
        return body;
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
        addRateLimitHeaders(response);
        observed(response.status().code());
        boolean reuse = keepAlive;
        HttpResponses.send(ctx.channel(), response, reuse).addListener(done -> written(reuse));
    }

    /** Tells the metrics this request was answered with {@code status} (a stream: when it starts). */
    void observed(int status) {
        observer.answered(route, request == null ? "" : request.method().name(), status, startNanos);
    }

    /** Tells the connection the answer is written, and whether the connection may be reused. */
    void written(boolean reuse) {
        connection.answered(this, reuse);
    }

    private static FullHttpResponse failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FrontException e) {
            return HttpResponses.error(e);
        }
        log.error("unexpected failure building an answer", cause);
        return HttpResponses.error(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }
}
