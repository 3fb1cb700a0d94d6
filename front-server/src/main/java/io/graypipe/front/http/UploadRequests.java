package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.pipeline.FormatNegotiation;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.SafeText;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The image uploads: {@code POST /process} (and its alias {@code /upload}) answered with the image, and
 * {@code POST /tasks} answered at once with a durable task, or a batch when it carries several files. The checks
 * that can refuse an upload before its body is read come first, so a refused body is never stored.
 */
final class UploadRequests {
    private static final Logger log = LoggerFactory.getLogger(UploadRequests.class);

    private final FrontConfig config;
    private final ImagePipeline pipeline;
    private final TaskRegistry tasks;
    private final AsyncTasks asyncTasks;
    private final BatchUploads batches;
    private final Workers worker;
    private final HttpDataFactory dataFactory;
    private final Executor uploadExecutor;
    private final ClientGate gate;

    UploadRequests(FrontConfig config, ImagePipeline pipeline, TaskRegistry tasks, AsyncTasks asyncTasks,
                   BatchUploads batches, Workers worker, HttpDataFactory dataFactory, Executor uploadExecutor,
                   ClientGate gate) {
        this.gate = gate;
        this.config = config;
        this.pipeline = pipeline;
        this.tasks = tasks;
        this.asyncTasks = asyncTasks;
        this.batches = batches;
        this.worker = worker;
        this.dataFactory = dataFactory;
        this.uploadExecutor = uploadExecutor;
    }

    /**
     * The endpoint of the upload routes: checks the upload from its headers and has the exchange receive its
     * body, then hand it on with {@link #submit}; or throws the {@link FrontException} that refuses it.
     */
    void begin(HttpExchange exchange, boolean synchronous) {
        Map<String, String> query = exchange.query();
        List<String> queryOps = exchange.queryValues().getOrDefault("ops", List.of());
        String route = exchange.route();
        if (query.containsKey("batch")) {
            if (synchronous) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, "batch=ID applies to POST /tasks; "
                        + exchange.route() + " answers with the image itself");
            }
            // Refused before the body is read: a batch that is unknown or closed would never take it.
            batches.checkJoinable(query.get("batch"));
        }
        UploadReceiver receiver = receiverFor(exchange.context().channel(), exchange.request(), query, queryOps,
                synchronous, route);
        String accept = exchange.request().headers().get(HttpHeaderNames.ACCEPT);
        ClientId client = exchange.client();
        String cacheScope = cacheScope(client);
        exchange.body().receive(receiver, body -> gate.spend(exchange, body.files().size()).thenCompose(refusal -> {
            if (refusal != null) {
                body.files().forEach(f -> f.release().run());
                return CompletableFuture.completedFuture(refusal);
            }
            return submit(body, query, queryOps, synchronous, route, accept, cacheScope, client,
                    exchange.startNanos());
        }));
    }

    /**
     * Whose cache entries this request may share: every client's ({@code --cache-scope shared}, empty), or only its
     * own: its API key's name, or its address when it has none.
     */
    private String cacheScope(ClientId client) {
        if (config.caching().scope() == FrontConfig.CacheScope.SHARED) {
            return "";
        }
        return client.limitKey();
    }

    /**
     * Checks an upload from its headers alone and returns the receiver its body goes to, or throws the
     * {@link FrontException} that refuses it.
     */
    private UploadReceiver receiverFor(Channel channel, HttpRequest request, Map<String, String> query,
                                       List<String> queryOps, boolean synchronous, String route) {
        FormatNegotiation.requireEncodable(
                variants(ProcessingOptions.parse(query), queryOps, synchronous, route).get(0).format(),
                worker.encodable());
        String unavailable = synchronous ? worker.unavailableReason() : null;
        if (unavailable != null) {
            throw workerUnavailable(unavailable);
        }
        return bodyReceiver(channel, request);
    }

    /**
     * The receiver of an upload's body, multipart or raw, after the checks its headers allow (declared size,
     * empty body, content type); {@code POST /info} receives its upload through it too.
     */
    UploadReceiver bodyReceiver(Channel channel, HttpRequest request) {
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > config.uploads().maxBytes()) {
            throw tooLarge(config.uploads().maxBytes());
        }
        if (declared == 0) {
            throw new FrontException(ErrorCode.MISSING_IMAGE,
                    "the request body is empty; send the image (curl -F image=@photo.jpg URL)");
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (contentType.startsWith("multipart/form-data")) {
            return UploadReceiver.multipart(channel, uploadExecutor, dataFactory, request);
        } else if (contentType.isEmpty() || contentType.startsWith("image/")
                || contentType.startsWith("application/octet-stream")) {
            return UploadReceiver.raw(channel, uploadExecutor, dataFactory, request);
        } else {
            throw new FrontException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + HttpResponses.clip(contentType)
                    + " is not an upload graypipe reads; send multipart/form-data with field 'image', or the raw image with Content-Type image/*");
        }
    }

    /**
     * Hands a whole body on: to the pipeline for a synchronous upload (answered with the image once it is
     * scaled), to the durable task store otherwise. Every refusal completes the future as an error answer, and
     * the files of a refused upload are released here.
     *
     * @param queryOps every {@code ops} value of the query string; when there is one, form fields {@code ops} are
     *                 ignored, as the query string wins for every parameter
     * @param route    the template the request matched, quoted when a synchronous upload carries several files
     * @param accept   the request's Accept header, which {@code format=auto} is resolved from; may be null
     * @param cacheScope whose result cache entries the upload may share ({@link #cacheScope})
     * @param client   who sent it: the owner of its tasks
     * @param requestNanos when the request's head was read: where a sync answer's {@code Server-Timing} starts
     */
    CompletableFuture<FullHttpResponse> submit(ReceivedBody body, Map<String, String> query,
                                               List<String> queryOps, boolean synchronous, String route,
                                               String accept, String cacheScope, ClientId client, long requestNanos) {
        Map<String, String> merged = new HashMap<>(body.fields());
        merged.putAll(query);
        CompletableFuture<FullHttpResponse> answer = answer(body, query, queryOps, synchronous, route, accept, cacheScope,
                client, requestNanos);
        if (!"auto".equalsIgnoreCase(String.valueOf(merged.get("format")).strip())) {
            return answer;
        }
        // The format followed the Accept header: a cache must not give this answer to another Accept.
        return answer.thenApply(response -> {
            response.headers().add(HttpHeaderNames.VARY, "Accept");
            return response;
        });
    }

    private CompletableFuture<FullHttpResponse> answer(ReceivedBody body, Map<String, String> query,
                                                       List<String> queryOps, boolean synchronous, String route,
                                                       String accept, String cacheScope, ClientId client,
                                                       long requestNanos) {
        List<Upload> files = body.files().stream().map(file -> file.ownedBy(client)).toList();
        try {
            if (synchronous && files.size() > 1) {
                throw new FrontException(ErrorCode.TOO_MANY_FILES, "send one image per request to " + route
                        + "; this one has " + files.size() + " files (POST /tasks takes several as a batch)");
            }
            Map<String, String> params = new HashMap<>(body.fields());
            params.putAll(query);
            List<String> opsValues = queryOps.isEmpty() ? body.fieldValues().getOrDefault("ops", List.of()) : queryOps;
            Set<OutputFormat> encodable = worker.encodable();
            ProcessingOptions parsed = ProcessingOptions.parse(params);
            parsed = parsed.withCache(new ProcessingOptions.CacheRequest(parsed.cache().policy(), cacheScope));
            List<ProcessingOptions> variants = variants(parsed, opsValues, synchronous, route)
                    .stream().map(options -> FormatNegotiation.resolve(options, accept, encodable)).toList();
            FormatNegotiation.requireEncodable(variants.get(0).format(), encodable);
            if (!synchronous && (files.size() > 1 || variants.size() > 1 || params.containsKey("batch"))) {
                return batches.submit(files, variants, params.get("filename"),
                        params.get("batch"));
            }
            ProcessingOptions options = variants.get(0);
            String unavailable = synchronous ? worker.unavailableReason() : null;
            if (unavailable != null) {
                throw workerUnavailable(unavailable);
            }
            if (synchronous) {
                Task task = pipeline.submit(files.get(0), options);
                return task.finished().handle((status, error) -> syncAnswer(task, requestNanos));
            }
            return asyncTasks.accept(files.get(0), options).handle((task, error) ->
                    error == null ? accepted(task.status()) : HttpResponses.error(AsyncTasks.failure(error)));
        } catch (FrontException e) {
            files.forEach(f -> f.release().run());
            return CompletableFuture.completedFuture(HttpResponses.error(e));
        } catch (RuntimeException e) {
            files.forEach(f -> f.release().run());
            log.error("unexpected failure accepting an upload", e);
            return CompletableFuture.completedFuture(HttpResponses.error(ErrorCode.INTERNAL,
                    "an unexpected server error occurred; it has been logged"));
        }
    }

    /** One options value per variant; a synchronous upload takes one. */
    private static List<ProcessingOptions> variants(ProcessingOptions options, List<String> opsValues,
                                                    boolean synchronous, String route) {
        if (synchronous && opsValues.size() > 1) {
            throw new FrontException(ErrorCode.BAD_PARAMETER, "ops is given " + opsValues.size() + " times: "
                    + route + " takes one variant per synchronous request; send several to POST /tasks");
        }
        return options.variants(opsValues);
    }

    /** The refusal of a body larger than {@code --max-upload-bytes}, declared or counted. */
    static FrontException tooLarge(long maxBytes) {
        return new FrontException(ErrorCode.UPLOAD_TOO_LARGE, "the upload exceeds " + maxBytes
                + " bytes (--max-upload-bytes); send a smaller file");
    }

    /** Why a body could not be received, as the error the client gets. */
    static FrontException receiveFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FrontException api) {
            return api;
        }
        log.warn("an upload could not be received: {}", SafeText.forLog(String.valueOf(cause)));
        return UploadReceiver.receiveError(cause);
    }

    private FullHttpResponse syncAnswer(Task task, long requestNanos) {
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE) {
            byte[] image = task.result();
            tasks.forgetResult(task);
            FullHttpResponse response = TaskEndpoints.imageResponse(status, image,
                    CacheHeaders.forProcess(config.caching().processMaxAge()));
            response.headers().set(ServerTiming.NAME, ServerTiming.of(requestNanos, task.stages(), status.cache()));
            return response;
        }
        if (status.status() == TaskState.FAILED) {
            return HttpResponses.error(status.error().errorCode(), status.error().message());
        }
        return HttpResponses.error(ErrorCode.NOT_FOUND, "the task was cancelled");
    }

    /** The 202 body of an async upload. */
    record Accepted(String id, TaskState status, String statusUrl, String resultUrl) {
    }

    private static FullHttpResponse accepted(TaskStatus status) {
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, new Accepted(status.id(),
                status.status(), "/tasks/" + status.id(), "/tasks/" + status.id() + "/result"));
        response.headers().set(HttpHeaderNames.LOCATION, "/tasks/" + status.id());
        return response;
    }

    private static FrontException workerUnavailable(String reason) {
        return new FrontException(ErrorCode.WORKER_UNAVAILABLE, "cannot scale right now (" + reason
                + "); retry after the Retry-After delay");
    }
}
