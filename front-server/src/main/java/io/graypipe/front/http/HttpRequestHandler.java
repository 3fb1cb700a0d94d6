package io.graypipe.front.http;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;
import io.graypipe.front.FrontConfig;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.DurableTasks;
import io.graypipe.front.task.TaskStore;
import io.graypipe.front.worker.WorkerClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One connection's HTTP requests, one at a time. Routing, parameter checks and limits run on the event loop;
 * they are cheap. Body bytes go to an {@link UploadReceiver}, image work to the {@link ImagePipeline}, and
 * responses are written from whichever thread finishes, which Netty allows.
 *
 * <p>While a request is being answered the channel stops reading, so pipelined requests wait their turn.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    private enum Phase { IDLE, RECEIVING, DISCARDING, ANSWERING }

    private final FrontConfig config;
    private final ImagePipeline pipeline;
    private final TaskStore tasks;
    private final DurableTasks durableTasks;
    private final WorkerClient worker;
    private final HttpDataFactory dataFactory;
    private final Executor uploadExecutor;

    private final Observability observability;

    private Phase phase = Phase.IDLE;
    private HttpRequest request;
    private long requestStartNanos;
    private String routeLabel = Route.UNMATCHED;
    private boolean keepAlive;
    private boolean sync;
    private long receivedBytes;
    private UploadReceiver receiver;
    private Map<String, String> query;

    public HttpRequestHandler(FrontConfig config, ImagePipeline pipeline, TaskStore tasks, DurableTasks durableTasks,
                              WorkerClient worker, HttpDataFactory dataFactory, Executor uploadExecutor,
                              Observability observability) {
        this.config = config;
        this.observability = observability;
        this.pipeline = pipeline;
        this.tasks = tasks;
        this.durableTasks = durableTasks;
        this.worker = worker;
        this.dataFactory = dataFactory;
        this.uploadExecutor = uploadExecutor;
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
                reject(ctx, new ApiException(ApiError.HEADERS_TOO_LARGE, "the request headers exceed "
                        + config.maxHeaderBytes() + " bytes; send fewer or shorter headers"));
            } else if (cause instanceof TooLongFrameException) {
                reject(ctx, new ApiException(ApiError.BAD_REQUEST, "the request line is too long; shorten the URL"));
            } else {
                reject(ctx, new ApiException(ApiError.BAD_REQUEST, "the request is not valid HTTP/1.1: " + cause.getMessage()));
            }
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(httpRequest.uri());
        query = firstValues(uri.parameters());
        try {
            route(ctx, httpRequest.method(), uri.path());
        } catch (ApiException e) {
            reject(ctx, e);
        }
    }

    private void route(ChannelHandlerContext ctx, HttpMethod method, String path) {
        Route.Match match = Route.match(path).orElseThrow(() -> new ApiException(ApiError.NOT_FOUND,
                "no such endpoint: " + clip(path) + "; GET /openapi.json lists them all"));
        routeLabel = match.route().template();
        requireMethod(method, match.route().methods().toArray(HttpMethod[]::new));
        String id = match.id();
        switch (match.route()) {
            case PAGE -> answerAfterBody(ctx, observability::page);
            case PROCESS, UPLOAD -> beginUpload(ctx, true);
            case TASKS -> beginUpload(ctx, false);
            case TASK -> {
                if (method.equals(HttpMethod.GET)) {
                    answerAfterBody(ctx, () -> HttpResponses.json(HttpResponseStatus.OK, findTask(id).status()));
                } else {
                    answerAfterBody(ctx, () -> deleteTask(id));
                }
            }
            case TASK_RESULT -> answerLaterAfterBody(ctx, () -> result(findTask(id)));
            case TASK_EVENTS -> streamAfterBody(ctx, () -> {
                Task task = findTask(id);
                return stream -> TaskEvents.stream(task, stream);
            });
            case BATCH -> answerAfterBody(ctx, () -> HttpResponses.json(HttpResponseStatus.OK, findBatch(id).status()));
            case BATCH_EVENTS -> streamAfterBody(ctx, () -> {
                Batch batch = findBatch(id);
                return stream -> BatchEvents.stream(batch, stream);
            });
            case HEALTHZ -> answerAfterBody(ctx, () -> HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ok")));
            case READYZ -> answerAfterBody(ctx, this::readiness);
            case METRICS -> answerLaterAfterBody(ctx, observability::scrapeResponse);
            case STATS -> answerLaterAfterBody(ctx, observability::statsResponse);
            case OPENAPI -> answerAfterBody(ctx, observability::openApi);
        }
    }

    private void requireMethod(HttpMethod method, HttpMethod... allowed) {
        for (HttpMethod candidate : allowed) {
            if (candidate.equals(method)) {
                return;
            }
        }
        StringBuilder allow = new StringBuilder();
        for (HttpMethod candidate : allowed) {
            allow.append(allow.length() == 0 ? "" : ", ").append(candidate.name());
        }
        throw new MethodNotAllowed(allow.toString(), method);
    }

    private Task findTask(String id) {
        return tasks.find(id).orElseThrow(() -> new ApiException(ApiError.TASK_NOT_FOUND,
                "no task " + clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes"));
    }

    private Batch findBatch(String id) {
        return observability.batches().store().find(id).orElseThrow(() -> new ApiException(ApiError.BATCH_NOT_FOUND,
                "no batch " + clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes"));
    }

    private FullHttpResponse deleteTask(String id) {
        if (tasks.delete(id).isEmpty()) {
            throw new ApiException(ApiError.TASK_NOT_FOUND, "no task " + clip(id));
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    }

    private CompletableFuture<FullHttpResponse> result(Task task) {
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE && task.durable()) {
            return durableTasks.readResult(task).thenApply(image -> imageResponse(status, image))
                    .exceptionally(error -> HttpResponses.error(ApiError.TASK_NOT_FOUND, "the result of task "
                            + status.id() + " is no longer kept (deleted or expired)"));
        }
        return CompletableFuture.completedFuture(resultInMemory(task));
    }

    private FullHttpResponse resultInMemory(Task task) {
        TaskStatus status = task.status();
        if (status.status() == TaskState.FAILED) {
            return HttpResponses.error(status.error().apiError(), status.error().message());
        }
        if (status.status() != TaskState.DONE) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", Map.of("code", ApiError.TASK_NOT_DONE.code(), "message",
                    "the task is " + status.status().label() + "; poll GET /tasks/" + status.id() + " until it is done"));
            body.put("task", status);
            return HttpResponses.json(ApiError.TASK_NOT_DONE.status(), body);
        }
        byte[] image = task.result();
        if (image == null) {
            throw new ApiException(ApiError.TASK_NOT_FOUND, "the result of task " + status.id()
                    + " is no longer kept (it was returned synchronously or deleted)");
        }
        return imageResponse(status, image);
    }

    private FullHttpResponse readiness() {
        String reason = worker.unavailableReason();
        if (reason == null) {
            return HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ready"));
        }
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                Map.of("status", "unavailable", "reason", reason));
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, HttpResponses.RETRY_AFTER_SECONDS);
        return response;
    }

    private static FullHttpResponse imageResponse(TaskStatus status, byte[] image) {
        FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.OK,
                io.graypipe.protocol.OutputFormat.parse(status.output().format()).mediaType(), image);
        response.headers().set("X-Task-Id", status.id());
        response.headers().setInt("X-Image-Width", status.output().width());
        response.headers().setInt("X-Image-Height", status.output().height());
        return response;
    }

    // ---- uploads

    private void beginUpload(ChannelHandlerContext ctx, boolean synchronous) {
        sync = synchronous;
        ProcessingOptions.parse(query);
        String unavailable = synchronous ? worker.unavailableReason() : null;
        if (unavailable != null) {
            throw workerUnavailable(unavailable);
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > config.maxUploadBytes()) {
            throw tooLarge();
        }
        if (declared == 0) {
            throw new ApiException(ApiError.MISSING_IMAGE,
                    "the request body is empty; send the image (curl -F image=@photo.jpg URL)");
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (contentType.startsWith("multipart/form-data")) {
            if (!contentType.contains("boundary=")) {
                throw new ApiException(ApiError.MALFORMED_MULTIPART,
                        "multipart/form-data without a boundary; let your HTTP client build the body (curl -F image=@photo.jpg)");
            }
            receiver = UploadReceiver.multipart(ctx.channel(), uploadExecutor, dataFactory, request);
        } else if (contentType.isEmpty() || contentType.startsWith("image/")
                || contentType.startsWith("application/octet-stream")) {
            receiver = UploadReceiver.raw(ctx.channel(), uploadExecutor, dataFactory, request);
        } else {
            throw new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + clip(contentType)
                    + " is not an upload graypipe reads; send multipart/form-data with field 'image', or the raw image with Content-Type image/*");
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        phase = Phase.RECEIVING;
        receiver.completion().whenComplete((body, error) -> {
            if (error != null) {
                answer(ctx, HttpResponses.error(asApiException(error)));
            } else {
                submit(ctx, body);
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
                reject(ctx, new ApiException(ApiError.BAD_REQUEST, "the request body is not valid HTTP/1.1 framing: "
                        + content.decoderResult().cause().getMessage()));
            }
            return;
        }
        if (phase == Phase.RECEIVING) {
            receivedBytes += content.content().readableBytes();
            if (receivedBytes > config.maxUploadBytes()) {
                receiver.abort();
                receiver = null;
                reject(ctx, tooLarge());
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

    private void submit(ChannelHandlerContext ctx, UploadReceiver.ReceivedBody body) {
        receiver = null;
        List<Upload> files = body.files();
        try {
            if (sync && files.size() > 1) {
                throw new ApiException(ApiError.TOO_MANY_FILES, "send one image per request to " + routeLabel
                        + "; this one has " + files.size() + " files (POST /tasks takes several as a batch)");
            }
            Map<String, String> params = new HashMap<>(body.fields());
            params.putAll(query);
            ProcessingOptions options = ProcessingOptions.parse(params);
            if (files.size() > 1) {
                observability.batches().submit(files, options).thenAccept(response -> answer(ctx, response));
                return;
            }
            String unavailable = sync ? worker.unavailableReason() : null;
            if (unavailable != null) {
                throw workerUnavailable(unavailable);
            }
            if (sync) {
                Task task = pipeline.submit(files.get(0), options);
                task.finished().whenComplete((status, error) -> answer(ctx, syncAnswer(task)));
            } else {
                durableTasks.accept(files.get(0), options).whenComplete((task, error) -> answer(ctx,
                        error == null ? accepted(task.status()) : HttpResponses.error(DurableTasks.asApiException(error))));
            }
        } catch (ApiException e) {
            files.forEach(f -> f.release().run());
            answer(ctx, HttpResponses.error(e));
        } catch (RuntimeException e) {
            files.forEach(f -> f.release().run());
            log.error("unexpected failure accepting an upload", e);
            answer(ctx, HttpResponses.error(ApiError.INTERNAL, "an unexpected server error occurred; it has been logged"));
        }
    }

    private FullHttpResponse syncAnswer(Task task) {
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE) {
            byte[] image = task.result();
            tasks.forgetResult(task);
            return imageResponse(status, image);
        }
        if (status.status() == TaskState.FAILED) {
            return HttpResponses.error(status.error().apiError(), status.error().message());
        }
        return HttpResponses.error(ApiError.NOT_FOUND, "the task was cancelled");
    }

    private static FullHttpResponse accepted(TaskStatus status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", status.id());
        body.put("status", status.status());
        body.put("status_url", "/tasks/" + status.id());
        body.put("result_url", "/tasks/" + status.id() + "/result");
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, body);
        response.headers().set(HttpHeaderNames.LOCATION, "/tasks/" + status.id());
        return response;
    }

    // ---- answering

    private Runnable pendingAnswer;

    /** Answers a body-less request once its (ignored) body has been read, so the connection stays usable. */
    private void answerAfterBody(ChannelHandlerContext ctx, java.util.function.Supplier<FullHttpResponse> response) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            FullHttpResponse built;
            try {
                built = response.get();
            } catch (MethodNotAllowed e) {
                built = e.response();
            } catch (ApiException e) {
                built = HttpResponses.error(e);
            }
            answer(ctx, built);
        };
    }

    /** Like {@link #answerAfterBody}, for answers that are ready only later; they are written when they are. */
    private void answerLaterAfterBody(ChannelHandlerContext ctx,
                                      java.util.function.Supplier<java.util.concurrent.CompletableFuture<FullHttpResponse>> response) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            java.util.concurrent.CompletableFuture<FullHttpResponse> later;
            try {
                later = response.get();
            } catch (ApiException e) {
                later = java.util.concurrent.CompletableFuture.completedFuture(HttpResponses.error(e));
            }
            later.whenComplete((built, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof ApiException api) {
                        built = HttpResponses.error(api);
                    } else {
                        log.error("unexpected failure building an answer", cause);
                        built = HttpResponses.error(ApiError.INTERNAL,
                                "an unexpected server error occurred; it has been logged");
                    }
                }
                answer(ctx, built);
            });
        };
    }

    /**
     * Answers a body-less request with an event stream once its body has been read. {@code opener} runs then:
     * it may refuse with an {@link ApiException} (answered as usual), or return what feeds the open stream.
     * The connection is reused once the stream ends, like after any answer.
     */
    private void streamAfterBody(ChannelHandlerContext ctx,
                                 java.util.function.Supplier<java.util.function.Consumer<EventStream>> opener) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            java.util.function.Consumer<EventStream> feed;
            try {
                feed = opener.get();
            } catch (ApiException e) {
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
                : HttpResponses.error((ApiException) e);
        // A request the decoder rejected has unreliable framing (its Content-Length may not even be a number).
        boolean bodyPending = request.decoderResult().isFailure()
                || !(request instanceof io.netty.handler.codec.http.FullHttpRequest)
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
                timedOut(ctx, "nothing arrived for " + config.readTimeout().toSeconds() + " s (--read-timeout)");
            }
        } else if (event == ReceiveDeadline.EXPIRED) {
            if (phase == Phase.ANSWERING) {
                // A pipelined request is trickling in behind the one being answered: close after the answer.
                keepAlive = false;
            } else {
                timedOut(ctx, "the request did not arrive whole within " + config.receiveTimeout().toSeconds()
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
        answer(ctx, HttpResponses.error(ApiError.REQUEST_TIMEOUT, why + "; send it faster or check the connection"));
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

    private static ApiException workerUnavailable(String reason) {
        return new ApiException(ApiError.WORKER_UNAVAILABLE, "cannot scale right now (" + reason
                + "); retry after the Retry-After delay");
    }

    private ApiException tooLarge() {
        return new ApiException(ApiError.UPLOAD_TOO_LARGE, "the upload exceeds " + config.maxUploadBytes()
                + " bytes (--max-upload-bytes); send a smaller file");
    }

    private static ApiException asApiException(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof ApiException api ? api
                : new ApiException(ApiError.MALFORMED_MULTIPART, "the upload could not be read: " + cause.getMessage());
    }

    private static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new HashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }

    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /** A 405 with the {@code Allow} header the client needs. */
    private static final class MethodNotAllowed extends ApiException {
        private final String allow;

        MethodNotAllowed(String allow, HttpMethod used) {
            super(ApiError.METHOD_NOT_ALLOWED, used.name() + " is not allowed here; use " + allow);
            this.allow = allow;
        }

        FullHttpResponse response() {
            FullHttpResponse response = HttpResponses.error(this);
            response.headers().set(HttpHeaderNames.ALLOW, allow);
            return response;
        }
    }
}
