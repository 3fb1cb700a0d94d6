package io.graypipe.front.http;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.SafeText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP requests, one at a time: the connection's concerns only. It keeps the phase of the
 * current request (idle, receiving its body, discarding it, answering), {@code 100-continue}, keep-alive and the
 * timeouts, and reads the next request only once the current one is answered. Each request gets its own
 * {@link HttpExchange}, which holds that request's state; {@link Endpoints} says how each route is answered.
 *
 * <p>All fields are confined to the connection's event loop. Answers are written from whichever thread finishes
 * ({@link HttpExchange#answer}); {@link #answered} then hops back to the event loop before touching a field.
 * While a request is being answered the channel stops reading, so pipelined requests wait their turn.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<HttpObject>
        implements HttpExchange.Connection {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    private enum Phase { IDLE, RECEIVING, DISCARDING, ANSWERING }

    private final FrontConfig config;
    private final Endpoints endpoints;
    private final RequestObserver observer;
    private final ClientGate gate;
    private final OpenConnections connections;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    /** The request being received or answered; null between requests. */
    private HttpExchange exchange;

    HttpRequestHandler(FrontConfig config, Endpoints endpoints, RequestObserver observer, ClientGate gate,
                       OpenConnections connections) {
        this.config = config;
        this.endpoints = endpoints;
        this.observer = observer;
        this.gate = gate;
        this.connections = connections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
        connections.opened(this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
        if (message instanceof HttpRequest request) {
            onRequest(request);
        }
        if (message instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void onRequest(HttpRequest request) {
        exchange = new HttpExchange(ctx, request, observer, this);
        connections.busy(this);
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                reject(new FrontException(ErrorCode.HEADERS_TOO_LARGE, "the request headers exceed "
                        + config.uploads().maxHeaderBytes() + " bytes; send fewer or shorter headers"));
            } else if (cause instanceof TooLongFrameException) {
                reject(new FrontException(ErrorCode.BAD_REQUEST, "the request line is too long; shorten the URL"));
            } else {
                log.debug("request refused: {}", SafeText.forLog(String.valueOf(cause)));
                reject(new FrontException(ErrorCode.BAD_REQUEST, "the request is not valid HTTP/1.1 (its request line, "
                        + "a header or the body's length); let your HTTP client build it"));
            }
            return;
        }
        exchange.readTarget();
        if (connections.draining()) {
            // Sent before the client could know the front is stopping: answered, then the connection closes.
            exchange.closeAfterAnswer();
        }
        if (connections.refusing()) {
            reject(shuttingDown());
            return;
        }
        try {
            route(request);
        } catch (FrontException e) {
            reject(e);
        }
    }

    private void route(HttpRequest request) {
        Route.Match match = Route.match(exchange.path()).orElseThrow(() -> new FrontException(ErrorCode.NOT_FOUND,
                "no such endpoint: " + HttpResponses.clip(exchange.path()) + "; GET /openapi.json lists them all"));
        exchange.route(match.route().template());
        MethodNotAllowed.require(request.method(), match.route().methods());
        gate.admit(exchange, match);
        endpoints.of(match.route()).begin(exchange, match.id());
        if (exchange.body().active()) {
            if (HttpUtil.is100ContinueExpected(request)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            phase = Phase.RECEIVING;
        } else {
            phase = Phase.DISCARDING;
        }
    }

    private void onContent(HttpContent content) {
        if (exchange == null) {
            // Bytes after an answer that closes the connection; SimpleChannelInboundHandler releases them.
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure() && !(content instanceof HttpRequest)) {
            // A bad chunk size or similar framing error: the rest of the stream cannot be trusted.
            exchange.body().abort();
            if (phase == Phase.RECEIVING || phase == Phase.DISCARDING) {
                log.debug("request body refused: {}", SafeText.forLog(String.valueOf(content.decoderResult().cause())));
                reject(new FrontException(ErrorCode.BAD_REQUEST, "the request body is not valid HTTP/1.1 framing "
                        + "(a chunk size or its end); let your HTTP client send it"));
            }
            return;
        }
        if (phase == Phase.RECEIVING) {
            if (!exchange.body().offer(content, config.uploads().maxBytes())) {
                reject(UploadRequests.tooLarge(config.uploads().maxBytes()));
                return;
            }
            if (last) {
                stopReading();
            }
        } else if (phase == Phase.DISCARDING && last) {
            stopReading();
            exchange.bodyRead();
        }
    }

    /** The request has fully arrived: no more reading until it is answered. */
    private void stopReading() {
        phase = Phase.ANSWERING;
        ctx.channel().config().setAutoRead(false);
    }

    /** Ends the current request with an error; its body, if any, is not read, so the connection closes. */
    private void reject(FrontException e) {
        FullHttpResponse response = e instanceof MethodNotAllowed notAllowed ? notAllowed.response()
                : HttpResponses.error(e);
        if (!exchange.bodyPending() && phase == Phase.IDLE) {
            // Nothing more to read for this request: answer once its LastHttpContent arrives.
            phase = Phase.DISCARDING;
            exchange.answerAfterBody(response);
            return;
        }
        exchange.closeAfterAnswer();
        stopReading();
        exchange.answer(response);
    }

    /**
     * Readies the connection for its next request once {@code answered}'s answer is written, or closes it when
     * it is not to be reused. Called from any thread; the state change runs on the event loop, and only if
     * {@code answered} is still the current exchange, so a next request that already arrived is never wiped out.
     */
    @Override
    public void answered(HttpExchange answered, boolean reuse) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> answered(answered, reuse));
            return;
        }
        if (reuse && ctx.channel().isActive() && exchange == answered && !connections.draining()) {
            phase = Phase.IDLE;
            exchange = null;
            connections.idle(this);
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        } else if (!reuse || connections.draining() && exchange == answered) {
            ctx.close();
        }
    }

    // ---- shutdown, called by OpenConnections from the shutdown thread; each hops to the event loop

    /** The front is stopping: the request under way is answered, then the connection closes; a stream ends. */
    void drain() {
        ctx.executor().execute(() -> {
            if (exchange != null) {
                exchange.closeAfterAnswer();
                exchange.endStream();
            }
        });
    }

    /**
     * The grace period is over: a request still arriving is answered 503 without waiting for the rest of its
     * body; an answer still streaming (a batch's ZIP) is cut. A request being processed is answered when its task
     * fails, which the front does itself.
     */
    void refuse() {
        ctx.executor().execute(() -> {
            if (exchange == null) {
                return;
            }
            if (phase == Phase.RECEIVING || phase == Phase.DISCARDING) {
                exchange.body().abort();
                exchange.closeAfterAnswer();
                stopReading();
                exchange.answer(HttpResponses.error(shuttingDown()));
            } else if (phase == Phase.ANSWERING && exchange.streaming()) {
                ctx.close();
            }
        });
    }

    /** Closes the connection if it holds no request; one that does closes after its 503. */
    void closeIfIdle() {
        ctx.executor().execute(() -> {
            if (exchange == null) {
                ctx.close();
            }
        });
    }

    private static FrontException shuttingDown() {
        return new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                "the server is shutting down; retry after the Retry-After delay (another front will answer)");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof IdleStateEvent) {
            if (phase == Phase.IDLE) {
                ctx.close();
            } else if (phase != Phase.ANSWERING) {
                timedOut("nothing arrived for " + config.timeouts().read().toSeconds() + " s (--read-timeout)");
            }
        } else if (event == ReceiveDeadline.EXPIRED) {
            if (phase == Phase.ANSWERING) {
                // A pipelined request is trickling in behind the one being answered: close after the answer.
                exchange.closeAfterAnswer();
            } else {
                timedOut("the request did not arrive whole within " + config.timeouts().receive().toSeconds()
                        + " s of its first byte (--receive-timeout)");
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /** Ends a request that is arriving too slowly with a 408, and the connection with it. */
    private void timedOut(String why) {
        if (exchange == null) {
            exchange = HttpExchange.beforeRequest(ctx, observer, this);
            connections.busy(this);
        }
        exchange.body().abort();
        exchange.closeAfterAnswer();
        stopReading();
        exchange.answer(HttpResponses.error(ErrorCode.REQUEST_TIMEOUT, why + "; send it faster or check the connection"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (exchange != null) {
            exchange.body().abort();
        }
        connections.closed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), SafeText.forLog(cause.toString()));
        ctx.close();
    }
}
