package io.graypipe.front.http;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;
import io.graypipe.front.FrontConfig;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
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

    private Phase phase = Phase.IDLE;
    private HttpRequest request;
    private boolean keepAlive;
    private boolean sync;
    private long receivedBytes;
    private UploadReceiver receiver;
    private Map<String, String> query;

    public HttpRequestHandler(FrontConfig config, ImagePipeline pipeline, TaskStore tasks, DurableTasks durableTasks,
                              WorkerClient worker, HttpDataFactory dataFactory, Executor uploadExecutor) {
        this.config = config;
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
        List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
        if (path.equals("/process") || path.equals("/upload")) {
            requireMethod(method, HttpMethod.POST);
            beginUpload(ctx, true);
        } else if (path.equals("/tasks")) {
            requireMethod(method, HttpMethod.POST);
            beginUpload(ctx, false);
        } else if (parts.size() == 2 && parts.get(0).equals("tasks")) {
            requireMethod(method, HttpMethod.GET, HttpMethod.DELETE);
            if (method.equals(HttpMethod.GET)) {
                answerAfterBody(ctx, () -> HttpResponses.json(HttpResponseStatus.OK, findTask(parts.get(1)).status()));
            } else {
                answerAfterBody(ctx, () -> deleteTask(parts.get(1)));
            }
        } else if (parts.size() == 3 && parts.get(0).equals("tasks") && parts.get(2).equals("result")) {
            requireMethod(method, HttpMethod.GET);
            answerAfterBodyLater(ctx, () -> result(findTask(parts.get(1))));
        } else if (path.equals("/healthz")) {
            requireMethod(method, HttpMethod.GET);
            answerAfterBody(ctx, () -> HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ok")));
        } else if (path.equals("/readyz")) {
            requireMethod(method, HttpMethod.GET);
            answerAfterBody(ctx, this::readiness);
        } else {
            throw new ApiException(ApiError.NOT_FOUND, "no such endpoint: " + clip(path)
                    + "; see the README for POST /process, POST /tasks and GET /tasks/{id}");
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
            if (files.size() > 1) {
                throw new ApiException(ApiError.TOO_MANY_FILES, "send one image per request; this one has "
                        + files.size() + " files");
            }
            Map<String, String> params = new HashMap<>(body.fields());
            params.putAll(query);
            ProcessingOptions options = ProcessingOptions.parse(params);
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

    /** Like {@link #answerAfterBody}, for an answer that is built off the event loop (it reads a file). */
    private void answerAfterBodyLater(ChannelHandlerContext ctx,
                                      java.util.function.Supplier<CompletableFuture<FullHttpResponse>> response) {
        phase = Phase.DISCARDING;
        pendingAnswer = () -> {
            CompletableFuture<FullHttpResponse> built;
            try {
                built = response.get();
            } catch (ApiException e) {
                built = CompletableFuture.completedFuture(HttpResponses.error(e));
            }
            built.thenAccept(answer -> answer(ctx, answer));
        };
    }

    /** Ends the current request with an error; its body, if any, is not read, so the connection closes. */
    private void reject(ChannelHandlerContext ctx, RuntimeException e) {
        FullHttpResponse response = e instanceof MethodNotAllowed notAllowed ? notAllowed.response()
                : HttpResponses.error((ApiException) e);
        boolean bodyPending = !(request instanceof io.netty.handler.codec.http.FullHttpRequest)
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

    private void answer(ChannelHandlerContext ctx, FullHttpResponse response) {
        boolean reuse = keepAlive;
        HttpResponses.send(ctx.channel(), response, reuse).addListener(done -> {
            if (reuse && ctx.channel().isActive()) {
                ctx.executor().execute(() -> {
                    phase = Phase.IDLE;
                    request = null;
                    ctx.channel().config().setAutoRead(true);
                    ctx.read();
                });
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            if (phase == Phase.RECEIVING || phase == Phase.DISCARDING) {
                if (receiver != null) {
                    receiver.abort();
                    receiver = null;
                }
                keepAlive = false;
                phase = Phase.ANSWERING;
                answer(ctx, HttpResponses.error(ApiError.REQUEST_TIMEOUT, "the request was not received within "
                        + config.readTimeout().toSeconds() + " s; send it faster or check the connection"));
            } else if (phase == Phase.IDLE) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
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
