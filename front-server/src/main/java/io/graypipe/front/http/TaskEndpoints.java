package io.graypipe.front.http;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.task.DurableTasks;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.TaskStore;
import io.graypipe.front.worker.WorkerClient;
import io.graypipe.protocol.OutputFormat;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The answers about tasks, batches and the front's own health: everything a client asks for without sending a
 * body. Each method either returns the answer or throws an {@link ApiException} saying why there is none; the
 * connection handler decides when and how it is written.
 */
final class TaskEndpoints {
    private final TaskStore tasks;
    private final DurableTasks durableTasks;
    private final BatchStore batches;
    private final WorkerClient worker;

    TaskEndpoints(TaskStore tasks, DurableTasks durableTasks, BatchStore batches, WorkerClient worker) {
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
            throw new ApiException(ApiError.TASK_NOT_FOUND, "no task " + HttpResponses.clip(id));
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    }

    /** {@code GET /tasks/{id}/result}: later, because a durable task's result is read from disk off the event loop. */
    CompletableFuture<FullHttpResponse> taskResult(String id) {
        Task task = findTask(id);
        TaskStatus status = task.status();
        if (status.status() == TaskState.DONE && task.durable()) {
            return durableTasks.readResult(task).thenApply(image -> imageResponse(status, image))
                    .exceptionally(error -> HttpResponses.error(ApiError.TASK_NOT_FOUND, "the result of task "
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

    /** {@code GET /batches/{id}/events}: what feeds the event stream, once the batch is known to exist. */
    Consumer<EventStream> batchEvents(String id) {
        Batch batch = findBatch(id);
        return stream -> BatchEvents.stream(batch, stream);
    }

    /** {@code GET /healthz}: the front answers, whatever the worker's state. */
    FullHttpResponse health() {
        return HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ok"));
    }

    /** {@code GET /readyz}: ready only while the worker can take scaling work. */
    FullHttpResponse readiness() {
        String reason = worker.unavailableReason();
        if (reason == null) {
            return HttpResponses.json(HttpResponseStatus.OK, Map.of("status", "ready"));
        }
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                Map.of("status", "unavailable", "reason", reason));
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, HttpResponses.RETRY_AFTER_SECONDS);
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
        return tasks.find(id).orElseThrow(() -> new ApiException(ApiError.TASK_NOT_FOUND, "no task "
                + HttpResponses.clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes()
                + " minutes"));
    }

    private Batch findBatch(String id) {
        return batches.find(id).orElseThrow(() -> new ApiException(ApiError.BATCH_NOT_FOUND, "no batch "
                + HttpResponses.clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes()
                + " minutes"));
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
}
