package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ClientId;
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
    public CompletableFuture<String> createBatch(List<Batch.Member> members, ClientId owner) {
        return CompletableFuture.completedFuture(batches.create(members, owner).id());
    }

    @Override
    public CompletableFuture<String> openBatch(ClientId owner) {
        return CompletableFuture.completedFuture(batches.open(owner).id());
    }

    @Override
    public void checkJoinable(String id) {
        Batch batch = batches.find(id).orElseThrow(() -> AsyncTasks.batchNotFound(id));
        if (batch.closed()) {
            throw AsyncTasks.batchClosed(batch.id());
        }
    }

    @Override
    public CompletableFuture<Boolean> join(String id, Batch.Member member) {
        return CompletableFuture.completedFuture(batches.find(id).orElseThrow(() -> AsyncTasks.batchNotFound(id))
                .add(member));
    }

    @Override
    public CompletableFuture<Batch.BatchStatus> closeBatch(String id) {
        Batch batch = find(id);
        batch.close();
        return CompletableFuture.completedFuture(batch.status());
    }

    @Override
    public CompletableFuture<Batch.BatchStatus> finishedBatch(String id) {
        Batch.BatchStatus status = find(id).status();
        if (!status.finished()) {
            throw AsyncTasks.notFinished(status);
        }
        return CompletableFuture.completedFuture(status);
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
        return CompletableFuture.completedFuture(batches.find(id).map(batch -> MemoryEvents.batch(batch, lastEventId)));
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
