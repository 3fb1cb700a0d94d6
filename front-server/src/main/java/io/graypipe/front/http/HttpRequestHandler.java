package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.config.FrontConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One connection's HTTP requests, one at a time: it reads each request, dispatches it by {@link Route}, and owns
 * when it is answered and whether the connection is reused. Routing, parameter checks and limits run on the event
 * loop; they are cheap. Uploads are checked and handed on by {@link UploadRequests} (body bytes go to an
 * {@link UploadReceiver}), the other answers come from {@link TaskEndpoints} and {@link Observability}, and
 * responses are written from whichever thread finishes, which Netty allows.
 *
 * <p>While a request is being answered the channel stops reading, so pipelined requests wait their turn.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    private enum Phase { IDLE, RECEIVING, DISCARDING, ANSWERING }

    private final FrontConfig config;
    private final UploadRequests uploads;
    private final TaskEndpoints taskEndpoints;
    private final Observability observability;

    private Phase phase = Phase.IDLE;
    private HttpRequest request;
    private long requestStartNanos;
    private String routeLabel = Route.UNMATCHED;
    private boolean keepAlive;
    private long receivedBytes;
    private UploadReceiver receiver;
    private Map<String, String> query;

    HttpRequestHandler(FrontConfig config, UploadRequests uploads, TaskEndpoints taskEndpoints,
                       Observability observability) {
        this.config = config;
        this.uploads = uploads;
        this.taskEndpoints = taskEndpoints;
        this.observability = observability;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (message instanceof HttpRequest httpRequest) {
            onRequest(ctx, httpRequest);
        }
        if (message instanceof HttpContent content) {
            onContent(ctx, content);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest httpRequest) {
        request = httpRequest;
        requestStartNanos = System.nanoTime();
        routeLabel = Route.UNMATCHED;
        keepAlive = HttpUtil.isKeepAlive(httpRequest);
        receivedBytes = 0;
        if (httpRequest.decoderResult().isFailure()) {
            Throwable cause = httpRequest.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                reject(ctx, new FrontException(ErrorCode.HEADERS_TOO_LARGE, "the request headers exceed "
                        + config.uploads().maxHeaderBytes() + " bytes; send fewer or shorter headers"));
            } else if (cause instanceof TooLongFrameException) {
                reject(ctx, new FrontException(ErrorCode.BAD_REQUEST, "the request line is too long; shorten the URL"));
            } else {
                reject(ctx, new FrontException(ErrorCode.BAD_REQUEST, "the request is not valid HTTP/1.1: " + cause.getMessage()));
            }
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(httpRequest.uri());
        query = firstValues(uri.parameters());
        try {
            route(ctx, httpRequest.method(), uri.path());
        } catch (FrontException e) {
            reject(ctx, e);
        }
    }

    private void route(ChannelHandlerContext ctx, HttpMethod method, String path) {
        Route.Match match = Route.match(path).orElseThrow(() -> new FrontException(ErrorCode.NOT_FOUND,
                "no such endpoint: " + HttpResponses.clip(path) + "; GET /openapi.json lists them all"));
        routeLabel = match.route().template();
        MethodNotAllowed.require(method, match.route().methods());
        String id = match.id();
        switch (match.route()) {
            case PAGE -> answerAfterBody(ctx, observability::page);
            case PROCESS, UPLOAD -> beginUpload(ctx, true);
            case TASKS -> beginUpload(ctx, false);
            case TASK -> {
                if (method.equals(HttpMethod.GET)) {
                    answerAfterBody(ctx, () -> taskEndpoints.taskStatus(id));
                } else {
                    answerAfterBody(ctx, () -> taskEndpoints.deleteTask(id));
                }
            }
            case TASK_RESULT -> answerLaterAfterBody(ctx, () -> taskEndpoints.taskResult(id));
            case TASK_EVENTS -> streamAfterBody(ctx, () -> taskEndpoints.taskEvents(id));
            case BATCH -> answerAfterBody(ctx, () -> taskEndpoints.batchStatus(id));
            case BATCH_EVENTS -> streamAfterBody(ctx, () -> taskEndpoints.batchEvents(id));
            case HEALTHZ -> answerAfterBody(ctx, taskEndpoints::health);
            case READYZ -> answerAfterBody(ctx, taskEndpoints::readiness);
            case METRICS -> answerLaterAfterBody(ctx, observability::scrapeResponse);
            case STATS -> answerLaterAfterBody(ctx, observability::statsResponse);
            case OPENAPI -> answerAfterBody(ctx, observability::openApi);
        }
    }

    // ---- uploads

    /** Starts receiving an upload's body, or throws the {@link FrontException} that refuses it from its headers. */
    private void beginUpload(ChannelHandlerContext ctx, boolean synchronous) {
        receiver = uploads.receiverFor(ctx.channel(), request, query, synchronous);
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        phase = Phase.RECEIVING;
        // The body completes on another thread: hand it this request's query and route, not the handler's fields.
        Map<String, String> uploadQuery = query;
        String uploadRoute = routeLabel;
        UploadReceiver thisUpload = receiver;
        thisUpload.completion().whenComplete((body, error) -> {
            if (error instanceof CancellationException) {
                return;
            }
            if (error != null) {
                answer(ctx, HttpResponses.error(UploadRequests.receiveFailure(error)));
            } else {
                // The handler's state belongs to the event loop; the body was handed over, nothing to abort now.
                ctx.executor().execute(() -> {
                    if (receiver == thisUpload) {
                        receiver = null;
                    }
                });
                uploads.submit(body, uploadQuery, synchronous, uploadRoute).whenComplete((response, failure) -> {
                    if (failure != null) {
                        log.error("unexpected failure answering an upload", failure);
                        response = HttpResponses.error(ErrorCode.INTERNAL,
                                "an unexpected server error occurred; it has been logged");
                    }
                    answer(ctx, response);
                });
            }
        });
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure() && !(content instanceof HttpRequest)) {
            // A bad chunk size or similar framing error: the rest of the stream cannot be trusted.
            if (receiver != null) {
                receiver.abort();
                receiver = null;
            }
            if (phase == Phase.RECEIVING || phase == Phase.DISCARDING) {
                reject(ctx, new FrontException(ErrorCode.BAD_REQUEST, "the request body is not valid HTTP/1.1 framing: "
                        + content.decoderResult().cause().getMessage()));
            }
            return;
        }
        if (phase == Phase.RECEIVING) {
            receivedBytes += content.content().readableBytes();
            if (receivedBytes > config.uploads().maxBytes()) {
                receiver.abort();
                receiver = null;
                reject(ctx, uploads.tooLarge());
                return;
            }
            receiver.offer(content);
            if (last) {
                phase = Phase.ANSWERING;
                ctx.channel().config().setAutoRead(false);
            }
        } else if (phase == Phase.DISCARDING && last) {
            phase = Phase.ANSWERING;
            ctx.channel().config().setAutoRead(false);
            pendingAnswer.run();
        }
    }

    // ---- answering

    private Runnable pendingAnswer;

    /** Answers a body-less request once its (ignored) body has been read, so the connection stays usable. */
    private void answerAfterBody(ChannelHandlerContext ctx, Supplier<FullHttpResponse> response) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            FullHttpResponse built;
            try {
                built = response.get();
            } catch (MethodNotAllowed e) {
                built = e.response();
            } catch (FrontException e) {
                built = HttpResponses.error(e);
            }
            answer(ctx, built);
        };
    }

    /** Like {@link #answerAfterBody}, for answers that are ready only later; they are written when they are. */
    private void answerLaterAfterBody(ChannelHandlerContext ctx, Supplier<CompletableFuture<FullHttpResponse>> response) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            CompletableFuture<FullHttpResponse> later;
            try {
                later = response.get();
            } catch (FrontException e) {
                later = CompletableFuture.completedFuture(HttpResponses.error(e));
            }
            later.whenComplete((built, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof FrontException api) {
                        built = HttpResponses.error(api);
                    } else {
                        log.error("unexpected failure building an answer", cause);
                        built = HttpResponses.error(ErrorCode.INTERNAL,
                                "an unexpected server error occurred; it has been logged");
                    }
                }
                answer(ctx, built);
            });
        };
    }

    /**
     * Answers a body-less request with an event stream once its body has been read. {@code opener} runs then:
     * it may refuse with an {@link FrontException} (answered as usual), or return what feeds the open stream.
     * The connection is reused once the stream ends, like after any answer.
     */
    private void streamAfterBody(ChannelHandlerContext ctx, Supplier<Consumer<EventStream>> opener) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            Consumer<EventStream> feed;
            try {
                feed = opener.get();
            } catch (FrontException e) {
                answer(ctx, HttpResponses.error(e));
                return;
            }
            observability.metrics().requestAnswered(routeLabel, request.method().name(), HttpResponseStatus.OK.code(),
                    requestStartNanos);
            boolean reuse = keepAlive;
            HttpRequest answered = request;
            EventStream stream = EventStream.open(ctx.channel(), reuse);
            stream.finished().thenAccept(written -> afterAnswer(ctx, reuse && written, answered));
            feed.accept(stream);
        };
    }

    /** Ends the current request with an error; its body, if any, is not read, so the connection closes. */
    private void reject(ChannelHandlerContext ctx, RuntimeException e) {
        FullHttpResponse response = e instanceof MethodNotAllowed notAllowed ? notAllowed.response()
                : HttpResponses.error((FrontException) e);
        // A request the decoder rejected has unreliable framing (its Content-Length may not even be a number).
        boolean bodyPending = request.decoderResult().isFailure()
                || !(request instanceof FullHttpRequest)
                && (HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request));
        if (!bodyPending && phase == Phase.IDLE) {
            // Nothing more to read for this request: answer once its LastHttpContent arrives.
            phase = Phase.DISCARDING;
            pendingAnswer = () -> answer(ctx, response);
            return;
        }
        phase = Phase.ANSWERING;
        keepAlive = false;
        ctx.channel().config().setAutoRead(false);
        answer(ctx, response);
    }

    /**
     * Sends the answer to the current request from any thread. Once it is written, and only if no other request
     * has taken its place, the connection goes back to reading the next request. The write listener runs on the
     * event loop, so the state change is ordered before anything the next request does.
     */
    private void answer(ChannelHandlerContext ctx, FullHttpResponse response) {
        observability.metrics().requestAnswered(routeLabel, request == null ? "" : request.method().name(),
                response.status().code(), requestStartNanos);
        boolean reuse = keepAlive;
        HttpRequest answered = request;
        HttpResponses.send(ctx.channel(), response, reuse).addListener(done -> afterAnswer(ctx, reuse, answered));
    }

    /**
     * Readies the connection for its next request, or closes it when it is not to be reused. The state change runs
     * on the event loop and only if {@code answered} is still the current request, so a next request that already
     * arrived is never wiped out.
     */
    private void afterAnswer(ChannelHandlerContext ctx, boolean reuse, HttpRequest answered) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> afterAnswer(ctx, reuse, answered));
            return;
        }
        if (reuse && ctx.channel().isActive() && request == answered) {
            phase = Phase.IDLE;
            request = null;
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        } else if (!reuse) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            if (phase == Phase.IDLE) {
                ctx.close();
            } else if (phase != Phase.ANSWERING) {
                timedOut(ctx, "nothing arrived for " + config.timeouts().read().toSeconds() + " s (--read-timeout)");
            }
        } else if (event == ReceiveDeadline.EXPIRED) {
            if (phase == Phase.ANSWERING) {
                // A pipelined request is trickling in behind the one being answered: close after the answer.
                keepAlive = false;
            } else {
                timedOut(ctx, "the request did not arrive whole within " + config.timeouts().receive().toSeconds()
                        + " s of its first byte (--receive-timeout)");
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /** Ends a request that is arriving too slowly with a 408, and the connection with it. */
    private void timedOut(ChannelHandlerContext ctx, String why) {
        if (receiver != null) {
            receiver.abort();
            receiver = null;
        }
        keepAlive = false;
        phase = Phase.ANSWERING;
        ctx.channel().config().setAutoRead(false);
        answer(ctx, HttpResponses.error(ErrorCode.REQUEST_TIMEOUT, why + "; send it faster or check the connection"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (receiver != null) {
            receiver.abort();
            receiver = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new HashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }
}
