package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.pipeline.DurableTasks;
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

    /** The body of {@code /healthz} and {@code /readyz}; {@code reason} only when not ready. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Health(String status, String reason) {
    }

    /** The 409 of a result asked for too early: the error, and the task as it is now. */
    record NotDone(ErrorInfo error, TaskStatus task) {
    }

    TaskEndpoints(TaskRegistry tasks, DurableTasks durableTasks, BatchStore batches, Workers worker) {
        this.tasks = tasks;
        this.durableTasks = durableTasks;
        this.batches = batches;
        this.worker = worker;
    }

    /** {@code GET /tasks/{id}}. */
    FullHttpResponse taskStatus(String id) {
        return HttpResponses.json(HttpResponseStatus.OK, findTask(id).status());
    }

    /** {@code DELETE /tasks/{id}}. */
    FullHttpResponse deleteTask(String id) {
        if (tasks.delete(id).isEmpty()) {
            throw new FrontException(ErrorCode.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id));
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    }

    /** {@code GET /tasks/{id}/result}: later, because a durable task's result is read from disk off the event loop. */
    CompletableFuture<FullHttpResponse> taskResult(String id) {
        Task task = findTask(id);
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE && task.durable()) {
            return durableTasks.readResult(task).thenApply(image -> imageResponse(status, image))
                    .exceptionally(error -> HttpResponses.error(ErrorCode.TASK_NOT_FOUND, "the result of task "
                            + status.id() + " is no longer kept (deleted or expired)"));
        }
        return CompletableFuture.completedFuture(resultInMemory(task));
    }

    /** {@code GET /tasks/{id}/events}: what feeds the event stream, once the task is known to exist. */
    Consumer<EventStream> taskEvents(String id) {
        Task task = findTask(id);
        return stream -> TaskEvents.stream(task, stream);
    }

    /** {@code GET /batches/{id}}. */
    FullHttpResponse batchStatus(String id) {
        return HttpResponses.json(HttpResponseStatus.OK, findBatch(id).status());
    }

    /** The 201 body of {@code POST /batches}. */
    record BatchCreated(String id, String batchUrl, String eventsUrl, String closeUrl, String archiveUrl) {
    }

    /** {@code POST /batches}: an empty open batch; tasks join it with {@code POST /tasks?batch=ID}. */
    FullHttpResponse createBatch() {
        Batch batch = batches.open();
        String url = "/batches/" + batch.id();
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.CREATED, new BatchCreated(batch.id(), url,
                url + "/events", url + "/close", url + "/archive"));
        response.headers().set(HttpHeaderNames.LOCATION, url);
        return response;
    }

    /** {@code POST /batches/{id}/close}: no more tasks join; the batch finishes once they are all final. */
    FullHttpResponse closeBatch(String id) {
        Batch batch = findBatch(id);
        batch.close();
        return HttpResponses.json(HttpResponseStatus.OK, batch.status());
    }

    /** {@code GET /batches/{id}/archive}: the ZIP of a finished batch's results. */
    BatchArchive batchArchive(String id) {
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
    Consumer<EventStream> batchEvents(String id) {
        Batch batch = findBatch(id);
        return stream -> BatchEvents.stream(batch, stream);
    }

    /** {@code GET /healthz}: the front answers, whatever the worker's state. */
    FullHttpResponse health() {
        return HttpResponses.json(HttpResponseStatus.OK, new Health("ok", null));
    }

    /** {@code GET /readyz}: ready only while the worker can take scaling work. */
    FullHttpResponse readiness() {
        String reason = worker.unavailableReason();
        if (reason == null) {
            return HttpResponses.json(HttpResponseStatus.OK, new Health("ready", null));
        }
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                new Health("unavailable", reason));
        HttpResponses.retryAfter(response, ErrorCode.WORKER_UNAVAILABLE);
        return response;
    }

    /** A finished task's image with its id and size; also the answer of a synchronous upload. */
    static FullHttpResponse imageResponse(TaskStatus status, byte[] image) {
        FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.OK,
                OutputFormat.parse(status.output().format()).mediaType(), image);
        response.headers().set("X-Task-Id", status.id());
        response.headers().setInt("X-Image-Width", status.output().width());
        response.headers().setInt("X-Image-Height", status.output().height());
        return response;
    }

    private Task findTask(String id) {
        return tasks.find(id).orElseThrow(() -> new FrontException(ErrorCode.TASK_NOT_FOUND, "no task "
                + HttpResponses.clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes()
                + " minutes"));
    }

    private Batch findBatch(String id) {
        return batches.find(id).orElseThrow(() -> new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch "
                + HttpResponses.clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes()
                + " minutes"));
    }

    private FullHttpResponse resultInMemory(Task task) {
        TaskStatus status = task.status();
        if (status.status() == TaskState.FAILED) {
            return HttpResponses.error(status.error().errorCode(), status.error().message());
        }
        if (status.status() != TaskState.DONE) {
            FrontException notDone = new FrontException(ErrorCode.TASK_NOT_DONE, "the task is "
                    + status.status().label() + "; poll GET /tasks/" + status.id() + " until it is done");
            return HttpResponses.error(ErrorCode.TASK_NOT_DONE, new NotDone(ErrorInfo.of(notDone), status));
        }
        byte[] image = task.result();
        if (image == null) {
            throw new FrontException(ErrorCode.TASK_NOT_FOUND, "the result of task " + status.id()
                    + " is no longer kept (it was returned synchronously or deleted)");
        }
        return imageResponse(status, image);
    }
}
