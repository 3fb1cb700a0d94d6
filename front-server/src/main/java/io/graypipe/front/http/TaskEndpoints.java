package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.MemoryEvents;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.OutputFormat;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The answers about tasks, batches and the front's own health: everything a client asks for without sending a
 * body. Async tasks and batches are asked of {@link AsyncTasks}, whichever store is behind it; a sync task is
 * answered from this front's registry, since only the front that runs one knows it. Each method either returns the
 * answer or throws an {@link FrontException} saying why there is none; the connection handler decides when and how
 * it is written.
 */
final class TaskEndpoints {
    private final TaskRegistry tasks;
    private final AsyncTasks async;
    private final Workers worker;

    /**
     * The body of {@code /healthz} and {@code /readyz}; {@code reason} only when not ready, or ready without the
     * task store; {@code store} ({@code ok} or {@code unavailable}) only with {@code --store}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Health(String status, String reason, String store) {
    }

    /** The 409 of a result asked for too early: the error, and the task as it is now. */
    record NotDone(ErrorInfo error, TaskStatus task) {
    }

    TaskEndpoints(TaskRegistry tasks, AsyncTasks async, Workers worker) {
        this.tasks = tasks;
        this.async = async;
        this.worker = worker;
    }

    /** The sync task {@code id} if this front runs it; async tasks are asked of the store. */
    private Optional<Task> sync(String id) {
        return tasks.find(id).filter(task -> !task.durable());
    }

    /** {@code GET /tasks/{id}}. */
    CompletableFuture<FullHttpResponse> taskStatus(String id) {
        CompletableFuture<Optional<TaskStatus>> status = sync(id).map(task -> found(task.status()))
                .orElseGet(() -> async.status(id));
        return status.thenApply(found -> HttpResponses.json(HttpResponseStatus.OK,
                found.orElseThrow(() -> taskNotFound(id))));
    }

    /** {@code DELETE /tasks/{id}}. */
    CompletableFuture<FullHttpResponse> deleteTask(String id) {
        CompletableFuture<Optional<TaskStatus>> deleted = sync(id).isPresent()
                ? found(tasks.delete(id).map(Task::status).orElse(null)) : async.delete(id);
        return deleted.thenApply(last -> {
            if (last.isEmpty()) {
                throw new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id));
            }
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        });
    }

    /**
     * {@code GET /tasks/{id}/result}: later, because a stored result is read off the event loop. With
     * {@code ifNoneMatch} naming the result's ETag: 304, without reading the result.
     */
    CompletableFuture<FullHttpResponse> taskResult(String id, String ifNoneMatch) {
        String cacheControl = CacheHeaders.forResult(tasks.resultTtl());
        Optional<Task> sync = sync(id);
        if (sync.isPresent()) {
            TaskStatus status = sync.get().status();
            if (status.status() == TaskState.DONE && CacheHeaders.matches(ifNoneMatch, CacheHeaders.etag(status))) {
                return CompletableFuture.completedFuture(CacheHeaders.notModified(CacheHeaders.etag(status),
                        cacheControl));
            }
            return CompletableFuture.completedFuture(resultInMemory(sync.get(), cacheControl));
        }
        return async.status(id).thenCompose(found -> {
            TaskStatus status = found.orElseThrow(() -> taskNotFound(id));
            if (status.status() != TaskState.DONE) {
                return CompletableFuture.completedFuture(notDone(status));
            }
            if (CacheHeaders.matches(ifNoneMatch, CacheHeaders.etag(status))) {
                return CompletableFuture.completedFuture(
                        CacheHeaders.notModified(CacheHeaders.etag(status), cacheControl));
            }
            return async.result(id).thenApply(image -> image.map(bytes -> imageResponse(status, bytes, cacheControl))
                    .orElseGet(() -> HttpResponses.error(ErrorCode.TASK_NOT_FOUND, "the result of task "
                            + status.id() + " is no longer kept (deleted or expired)")));
        });
    }

    /**
     * {@code GET /tasks/{id}/events}: what feeds the event stream, once the task is known to exist.
     *
     * @param lastEventId the client's {@code Last-Event-ID}, to resume after it, or null
     */
    CompletableFuture<Consumer<EventStream>> taskEvents(String id, String lastEventId) {
        CompletableFuture<Optional<Consumer<EventSink>>> feed = sync(id)
                .map(task -> found(MemoryEvents.task(task, lastEventId)))
                .orElseGet(() -> async.taskEvents(id, lastEventId));
        return feed.thenApply(found -> found.orElseThrow(() -> taskNotFound(id))::accept);
    }

    /** {@code GET /batches/{id}}. */
    CompletableFuture<FullHttpResponse> batchStatus(String id) {
        return async.batch(id).thenApply(found -> HttpResponses.json(HttpResponseStatus.OK,
                found.orElseThrow(() -> batchNotFound(id))));
    }

    /** The 201 body of {@code POST /batches}. */
    record BatchCreated(String id, String batchUrl, String eventsUrl, String closeUrl, String archiveUrl) {
    }

    /** {@code POST /batches}: an empty open batch; tasks join it with {@code POST /tasks?batch=ID}. */
    CompletableFuture<FullHttpResponse> createBatch(ClientId owner) {
        return async.openBatch(owner).thenApply(id -> {
            String url = "/batches/" + id;
            FullHttpResponse response = HttpResponses.json(HttpResponseStatus.CREATED, new BatchCreated(id, url,
                    url + "/events", url + "/close", url + "/archive"));
            response.headers().set(HttpHeaderNames.LOCATION, url);
            return response;
        });
    }

    /** {@code POST /batches/{id}/close}: no more tasks join; the batch finishes once they are all final. */
    CompletableFuture<FullHttpResponse> closeBatch(String id) {
        return async.closeBatch(id).thenApply(status -> HttpResponses.json(HttpResponseStatus.OK, status));
    }

    /** {@code GET /batches/{id}/archive}: the ZIP of a finished batch's results. */
    CompletableFuture<BatchArchive> batchArchive(String id) {
        return async.finishedBatch(id).thenApply(batch -> new BatchArchive(batch, async));
    }

    /** {@code GET /batches/{id}/events}: what feeds the event stream, once the batch is known to exist. */
    CompletableFuture<Consumer<EventStream>> batchEvents(String id, String lastEventId) {
        return async.batchEvents(id, lastEventId).thenApply(found -> found.orElseThrow(() -> batchNotFound(id))::accept);
    }

    /** {@code GET /healthz}: the front answers, whatever the worker's state. */
    FullHttpResponse health() {
        return HttpResponses.json(HttpResponseStatus.OK, new Health("ok", null, null));
    }

    /**
     * {@code GET /readyz}: ready while the worker can take scaling work. A shared store is reported but does not
     * decide: sync requests need no store, so a front that cannot reach Redis still serves them (and answers async
     * uploads 503 {@code storage_unavailable} itself); failing here would let a load balancer turn a store outage
     * into a full one.
     */
    FullHttpResponse readiness() {
        String storeReason = async.unavailableReason();
        String store = !async.shared() ? null : storeReason == null ? "ok" : "unavailable";
        String reason = worker.unavailableReason();
        if (reason == null) {
            return HttpResponses.json(HttpResponseStatus.OK, new Health("ready", storeReason, store));
        }
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                new Health("unavailable", reason, store));
        HttpResponses.retryAfter(response, ErrorCode.WORKER_UNAVAILABLE);
        return response;
    }

    /**
     * A finished task's image with its id, size and caching headers (ETag, X-Cache, {@code cacheControl}); also
     * the answer of a synchronous upload.
     */
    static FullHttpResponse imageResponse(TaskStatus status, byte[] image, String cacheControl) {
        FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.OK,
                OutputFormat.parse(status.output().format()).mediaType(), image);
        response.headers().set("X-Task-Id", status.id());
        response.headers().setInt("X-Image-Width", status.output().width());
        response.headers().setInt("X-Image-Height", status.output().height());
        CacheHeaders.image(response, status, cacheControl);
        return response;
    }

    private static <T> CompletableFuture<Optional<T>> found(T value) {
        return CompletableFuture.completedFuture(Optional.ofNullable(value));
    }

    private FrontException taskNotFound(String id) {
        return new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id)
                + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes");
    }

    private FrontException batchNotFound(String id) {
        return new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch " + HttpResponses.clip(id)
                + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes");
    }

    /** The answer for the result of a task that is not done: its error when failed, else 409 with its status. */
    private static FullHttpResponse notDone(TaskStatus status) {
        if (status.status() == TaskState.FAILED) {
            return HttpResponses.error(status.error().errorCode(), status.error().message());
        }
        FrontException notDone = new FrontException(ErrorCode.TASK_NOT_DONE, "the task is "
                + status.status().label() + "; poll GET /tasks/" + status.id() + " until it is done");
        return HttpResponses.error(ErrorCode.TASK_NOT_DONE, new NotDone(ErrorInfo.of(notDone), status));
    }

    private FullHttpResponse resultInMemory(Task task, String cacheControl) {
        TaskStatus status = task.status();
        if (status.status() != TaskState.DONE) {
            return notDone(status);
        }
        byte[] image = task.result();
        if (image == null) {
            throw new FrontException(ErrorCode.TASK_NOT_FOUND, "the result of task " + status.id()
                    + " is no longer kept (it was returned synchronously or deleted)");
        }
        return imageResponse(status, image, cacheControl);
    }
}
