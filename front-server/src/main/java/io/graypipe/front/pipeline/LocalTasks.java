package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Async tasks and batches on one machine: tasks are accepted and run by {@link DurableTasks} (the data directory),
 * live in this front's {@link TaskRegistry}, and batches in its {@link BatchStore}. Reads answer from memory, and
 * from the data directory for a durable task's result.
 */
public final class LocalTasks implements AsyncTasks {
    private final DurableTasks durable;
    private final TaskRegistry tasks;
    private final BatchStore batches;

    public LocalTasks(DurableTasks durable, TaskRegistry tasks, BatchStore batches) {
        this.durable = durable;
        this.tasks = tasks;
        this.batches = batches;
    }

    @Override
    public CompletableFuture<Task> accept(Upload upload, ProcessingOptions options) {
        return durable.accept(upload, options);
    }

    @Override
    public CompletableFuture<Optional<TaskStatus>> status(String id) {
        return CompletableFuture.completedFuture(tasks.find(id).map(Task::status));
    }

    @Override
    public CompletableFuture<Optional<byte[]>> result(String id) {
        Optional<Task> found = tasks.find(id).filter(task -> task.status().status() == TaskState.DONE);
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Task task = found.get();
        if (!task.durable()) {
            return CompletableFuture.completedFuture(Optional.ofNullable(task.result()));
        }
        return durable.readResult(task).thenApply(Optional::of).exceptionally(unreadable -> Optional.empty());
    }

    @Override
    public CompletableFuture<Optional<TaskStatus>> delete(String id) {
        return CompletableFuture.completedFuture(tasks.delete(id).map(Task::status));
    }

    @Override
    public CompletableFuture<Optional<Consumer<EventSink>>> taskEvents(String id, String lastEventId) {
        return CompletableFuture.completedFuture(tasks.find(id).map(task -> MemoryEvents.task(task, lastEventId)));
    }

    @Override
    public CompletableFuture<String> createBatch(List<Batch.Member> members) {
        return CompletableFuture.completedFuture(batches.create(members).id());
    }

    @Override
    public Batch openBatch() {
        return batches.open();
    }

    @Override
    public Batch joinable(String id) {
        Batch batch = batches.find(id).orElseThrow(() -> new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch "
                + clip(id) + "; create one with POST /batches (batches expire after their TTL)"));
        if (batch.closed()) {
            throw AsyncTasks.batchClosed(batch.id());
        }
        return batch;
    }

    @Override
    public Batch.BatchStatus closeBatch(String id) {
        Batch batch = find(id);
        batch.close();
        return batch.status();
    }

    @Override
    public Batch finishedBatch(String id) {
        Batch batch = find(id);
        Batch.BatchStatus status = batch.status();
        if (!status.finished()) {
            throw new FrontException(ErrorCode.BATCH_NOT_FINISHED, "batch " + batch.id() + " is not finished ("
                    + (status.closed() ? "" : "still open; close it with POST /batches/" + batch.id() + "/close, and ")
                    + (status.total() - status.done() - status.failed() - status.cancelled())
                    + " tasks not final); wait for the done event of GET /batches/" + batch.id() + "/events");
        }
        return batch;
    }

    @Override
    public void discard(Task task) {
        durable.delete(task);
    }

    @Override
    public CompletableFuture<Optional<Batch.BatchStatus>> batch(String id) {
        return CompletableFuture.completedFuture(batches.find(id).map(Batch::status));
    }

    @Override
    public CompletableFuture<Optional<Consumer<EventSink>>> batchEvents(String id, String lastEventId) {
        return CompletableFuture.completedFuture(batches.find(id).map(MemoryEvents::batch));
    }

    @Override
    public void readOnStorage(Consumer<ResultReader> work) {
        durable.readOnStorage(work);
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public boolean shared() {
        return false;
    }

    private Batch find(String id) {
        return batches.find(id).orElseThrow(() -> new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch "
                + clip(id) + "; it never existed or expired after " + tasks.resultTtl().toMinutes() + " minutes"));
    }

    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
