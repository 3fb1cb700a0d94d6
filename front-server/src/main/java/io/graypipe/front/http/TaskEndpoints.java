package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.SharedTasks;
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

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The answers about tasks, batches and the front's own health: everything a client asks for without sending a
 * body. Each method either returns the answer or throws an {@link FrontException} saying why there is none; the
 * connection handler decides when and how it is written.
 */
final class TaskEndpoints {
    private final TaskRegistry tasks;
    private final DurableTasks durableTasks;
    private final BatchStore batches;
    private final Workers worker;
    /** With {@code --store}: the truth about every async task, whichever front took it. Null without. */
    private final SharedTasks shared;

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

    TaskEndpoints(TaskRegistry tasks, DurableTasks durableTasks, BatchStore batches, Workers worker,
                  SharedTasks shared) {
        this.tasks = tasks;
        this.durableTasks = durableTasks;
        this.batches = batches;
        this.worker = worker;
        this.shared = shared;
    }

    /**
     * Whether this front's memory answers for task {@code id}: always without a shared store; with one, only for
     * its sync tasks, since an async task's truth is in the store whichever front runs it.
     */
    private boolean heldHere(String id) {
        return shared == null || tasks.find(id).filter(task -> !task.durable()).isPresent();
    }

    /** {@code GET /tasks/{id}}. */
    CompletableFuture<FullHttpResponse> taskStatus(String id) {
        if (heldHere(id)) {
            return CompletableFuture.completedFuture(HttpResponses.json(HttpResponseStatus.OK, findTask(id).status()));
        }
        return shared.status(id).thenApply(found -> HttpResponses.json(HttpResponseStatus.OK,
                found.orElseThrow(() -> taskNotFound(id))));
    }

    /** {@code DELETE /tasks/{id}}. */
    CompletableFuture<FullHttpResponse> deleteTask(String id) {
        if (heldHere(id)) {
            if (tasks.delete(id).isEmpty()) {
                throw new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id));
            }
            return CompletableFuture.completedFuture(noContent());
        }
        return shared.delete(id).thenApply(last -> {
            if (last.isEmpty()) {
                throw new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id));
            }
            return noContent();
        });
    }

    private static FullHttpResponse noContent() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    }

    /**
     * {@code GET /tasks/{id}/result}: later, because a durable task's result is read from disk off the event loop.
     * With {@code ifNoneMatch} naming the result's ETag: 304, without reading the result.
     */
    CompletableFuture<FullHttpResponse> taskResult(String id, String ifNoneMatch) {
        String cacheControl = CacheHeaders.forResult(tasks.resultTtl());
        if (!heldHere(id)) {
            return shared.status(id).thenCompose(found -> {
                TaskStatus status = found.orElseThrow(() -> taskNotFound(id));
                if (status.status() != TaskState.DONE) {
                    return CompletableFuture.completedFuture(notDone(status));
                }
                if (CacheHeaders.matches(ifNoneMatch, CacheHeaders.etag(status))) {
                    return CompletableFuture.completedFuture(
                            CacheHeaders.notModified(CacheHeaders.etag(status), cacheControl));
                }
                return shared.result(id).thenApply(image -> image.map(bytes -> imageResponse(status, bytes, cacheControl))
                        .orElseGet(() -> HttpResponses.error(ErrorCode.TASK_NOT_FOUND, "the result of task "
                                + status.id() + " is no longer kept (deleted or expired)")));
            });
        }
        Task task = findTask(id);
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE && CacheHeaders.matches(ifNoneMatch, CacheHeaders.etag(status))) {
            return CompletableFuture.completedFuture(CacheHeaders.notModified(CacheHeaders.etag(status), cacheControl));
        }
        if (status.status() == TaskState.DONE && task.durable()) {
            return durableTasks.readResult(task).thenApply(image -> imageResponse(status, image, cacheControl))
                    .exceptionally(error -> HttpResponses.error(ErrorCode.TASK_NOT_FOUND, "the result of task "
                            + status.id() + " is no longer kept (deleted or expired)"));
        }
        return CompletableFuture.completedFuture(resultInMemory(task, cacheControl));
    }

    /**
     * {@code GET /tasks/{id}/events}: what feeds the event stream, once the task is known to exist.
     *
     * @param lastEventId the client's {@code Last-Event-ID}, to resume after it (shared store only), or null
     */
    CompletableFuture<Consumer<EventStream>> taskEvents(String id, String lastEventId) {
        if (heldHere(id)) {
            Task task = findTask(id);
            return CompletableFuture.completedFuture(stream -> TaskEvents.stream(task, stream));
        }
        return shared.taskEvents(id, lastEventId).thenApply(found -> {
            Consumer<EventSink> feed = found.orElseThrow(() -> taskNotFound(id));
            return feed::accept;
        });
    }

    /** {@code GET /batches/{id}}. */
    CompletableFuture<FullHttpResponse> batchStatus(String id) {
        if (shared == null) {
            return CompletableFuture.completedFuture(HttpResponses.json(HttpResponseStatus.OK, findBatch(id).status()));
        }
        return shared.batch(id).thenApply(found -> HttpResponses.json(HttpResponseStatus.OK,
                found.orElseThrow(() -> batchNotFound(id))));
    }

    /** The 201 body of {@code POST /batches}. */
    record BatchCreated(String id, String batchUrl, String eventsUrl, String closeUrl, String archiveUrl) {
    }

    /** {@code POST /batches}: an empty open batch; tasks join it with {@code POST /tasks?batch=ID}. */
    FullHttpResponse createBatch(ClientId owner) {
        BatchUploads.requireOpenBatches(shared);
        Batch batch = batches.open(owner);
        String url = "/batches/" + batch.id();
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.CREATED, new BatchCreated(batch.id(), url,
                url + "/events", url + "/close", url + "/archive"));
        response.headers().set(HttpHeaderNames.LOCATION, url);
        return response;
    }

    /** {@code POST /batches/{id}/close}: no more tasks join; the batch finishes once they are all final. */
    FullHttpResponse closeBatch(String id) {
        BatchUploads.requireOpenBatches(shared);
        Batch batch = findBatch(id);
        batch.close();
        return HttpResponses.json(HttpResponseStatus.OK, batch.status());
    }

    /** {@code GET /batches/{id}/archive}: the ZIP of a finished batch's results. */
    BatchArchive batchArchive(String id) {
        BatchUploads.requireOpenBatches(shared);
        Batch batch = findBatch(id);
        Batch.BatchStatus status = batch.status();
        if (!status.finished()) {
            throw new FrontException(ErrorCode.BATCH_NOT_FINISHED, "batch " + batch.id() + " is not finished ("
                    + (status.closed() ? "" : "still open; close it with POST /batches/" + batch.id() + "/close, and ")
                    + (status.total() - status.done() - status.failed() - status.cancelled())
                    + " tasks not final); wait for the done event of GET /batches/" + batch.id() + "/events");
        }
        return new BatchArchive(batch, durableTasks);
    }

    /** {@code GET /batches/{id}/events}: what feeds the event stream, once the batch is known to exist. */
    CompletableFuture<Consumer<EventStream>> batchEvents(String id, String lastEventId) {
        if (shared == null) {
            Batch batch = findBatch(id);
            return CompletableFuture.completedFuture(stream -> BatchEvents.stream(batch, stream));
        }
        return shared.batchEvents(id, lastEventId).thenApply(found -> {
            Consumer<EventSink> feed = found.orElseThrow(() -> batchNotFound(id));
            return feed::accept;
        });
    }

    /** {@code GET /healthz}: the front answers, whatever the worker's state. */
    FullHttpResponse health() {
        return HttpResponses.json(HttpResponseStatus.OK, new Health("ok", null, null));
    }

    /**
     * {@code GET /readyz}: ready while the worker can take scaling work. The shared store is reported but does not
     * decide: sync requests need no store, so a front that cannot reach Redis still serves them (and answers async
     * uploads 503 {@code storage_unavailable} itself); failing here would let a load balancer turn a store outage
     * into a full one.
     */
    FullHttpResponse readiness() {
        String storeReason = shared == null ? null : shared.unavailableReason();
        String store = shared == null ? null : storeReason == null ? "ok" : "unavailable";
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

    private Task findTask(String id) {
        return tasks.find(id).orElseThrow(() -> taskNotFound(id));
    }

    private FrontException taskNotFound(String id) {
        return new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id)
                + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes");
    }

    private Batch findBatch(String id) {
        return batches.find(id).orElseThrow(() -> batchNotFound(id));
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
