package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskStatus;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Async tasks and batches, the one interface the HTTP endpoints use, whatever holds them: {@link LocalTasks}
 * (this front's data directory and memory, the single-machine default) or {@link SharedTasks} (Redis, shared by
 * several fronts, with {@code --store}). Reads are futures, since a store may be a network round trip away; a
 * future fails with a {@link FrontException} saying why (see {@link #failure}). Sync tasks are not here: the
 * front that runs one holds it in its {@link io.graypipe.front.task.TaskRegistry}.
 */
public interface AsyncTasks {
    /**
     * Stores the upload as a new async task and queues it. The future completes once the task is stored (the 202
     * may go out), or fails with a {@link FrontException} saying why not. {@code upload} is released in every case.
     */
    CompletableFuture<Task> accept(Upload upload, ProcessingOptions options);

    /**
     * {@link #accept(Upload, ProcessingOptions)} once per variant of one file: each task stores its own copy of
     * the upload, so each runs and is deleted on its own; {@code upload} is released once the last copy is made.
     */
    default List<CompletableFuture<Task>> accept(Upload upload, List<ProcessingOptions> variants) {
        AtomicInteger copiesLeft = new AtomicInteger(variants.size());
        return variants.stream().map(options -> {
            AtomicBoolean released = new AtomicBoolean();
            Upload copy = new Upload(upload.source(), upload.filename(), () -> {
                if (released.compareAndSet(false, true) && copiesLeft.decrementAndGet() == 0) {
                    upload.release().run();
                }
            }, upload.owner());
            return accept(copy, options);
        }).toList();
    }

    /** The task's status; empty when there is no such task (never was, deleted or expired). */
    CompletableFuture<Optional<TaskStatus>> status(String id);

    /** The output image of a done task; empty when it is not kept (not done, deleted or expired). */
    CompletableFuture<Optional<byte[]>> result(String id);

    /** Cancels the task if it is still pending, wherever it runs, and forgets it and its result. */
    CompletableFuture<Optional<TaskStatus>> delete(String id);

    /**
     * What feeds {@code GET /tasks/{id}/events}, or empty when there is no such task: each state the task entered
     * after {@code lastEventId} (all of them when null), with ids, up to the final one.
     */
    CompletableFuture<Optional<Consumer<EventSink>>> taskEvents(String id, String lastEventId);

    // ---- batches

    /** Groups accepted tasks into a new, closed batch (a multi-file upload); completes with its id. */
    CompletableFuture<String> createBatch(List<Batch.Member> members, ClientId owner);

    /** An empty open batch ({@code POST /batches}); completes with its id. */
    CompletableFuture<String> openBatch(ClientId owner);

    /**
     * Refuses at once a batch that cannot be joined, when that is known without a round trip (one machine);
     * otherwise {@link #join} refuses it once the upload is stored.
     */
    void checkJoinable(String id);

    /**
     * Adds an accepted task to the open batch {@code id}: true once it joined, false when the batch was closed
     * meanwhile (the task must then be {@link #discard}ed); fails with {@code batch_not_found}.
     */
    CompletableFuture<Boolean> join(String id, Batch.Member member);

    /** Closes batch {@code id}: no more tasks join; it finishes once they are all final. */
    CompletableFuture<Batch.BatchStatus> closeBatch(String id);

    /** The finished batch {@code id}, whose archive is to be written; refused while it is not finished. */
    CompletableFuture<Batch.BatchStatus> finishedBatch(String id);

    /** Forgets a task accepted for a batch that closed meanwhile: it must not run outside it. */
    void discard(Task task);

    CompletableFuture<Optional<Batch.BatchStatus>> batch(String id);

    /**
     * What feeds {@code GET /batches/{id}/events}, or empty when there is no such batch: a {@code progress} event,
     * a {@code task} event per state change of any of its tasks, and {@code done} once every task is final.
     */
    CompletableFuture<Optional<Consumer<EventSink>>> batchEvents(String id, String lastEventId);

    /** Reads done tasks' results; given to work that runs on the storage executor, and only valid there. */
    @FunctionalInterface
    interface ResultReader {
        /**
         * The result of the done task {@code id}. Throws {@link ResultGone} when it is no longer kept (deleted or
         * expired), and any other IOException when it cannot be read now (Redis away, a disk error): a reader
         * must not take the second for the first.
         */
        byte[] read(String id) throws IOException;
    }

    /** A done task's result that is no longer kept: deleted, or expired after its TTL. */
    final class ResultGone extends IOException {
        public ResultGone(String id) {
            super("the result of task " + id + " is no longer kept");
        }
    }

    /**
     * Runs {@code work} on the storage executor with a reader of results, for work that reads many results in a
     * row (a batch's archive). Throws OVERLOADED when the storage queue is full.
     */
    void readOnStorage(Consumer<ResultReader> work);

    /** Null while the store can be used; otherwise why not, for {@code /readyz}. */
    String unavailableReason();

    /** Whether {@code /readyz} reports a store (one shared with other fronts). */
    boolean shared();

    /** The refusal of a task sent to a closed batch. */
    static FrontException batchClosed(String batchId) {
        return new FrontException(ErrorCode.BATCH_CLOSED, "batch " + batchId
                + " is closed and takes no more tasks; create a new one with POST /batches");
    }

    /** Refuses the archive of a batch that is not finished, saying what is missing. */
    static FrontException notFinished(Batch.BatchStatus status) {
        return new FrontException(ErrorCode.BATCH_NOT_FINISHED, "batch " + status.id() + " is not finished ("
                + (status.closed() ? "" : "still open; close it with POST /batches/" + status.id() + "/close, and ")
                + (status.total() - status.done() - status.failed() - status.cancelled())
                + " tasks not final); wait for the done event of GET /batches/" + status.id() + "/events");
    }

    /** Refuses a batch that does not exist. */
    static FrontException batchNotFound(String id) {
        return new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch " + (id.length() <= 64 ? id
                : id.substring(0, 64) + "...") + "; create one with POST /batches (batches expire after their TTL)");
    }

    /**
     * The one place a failure of these futures is turned into what the client sees: the {@link FrontException}
     * inside whatever wrapped it, or an internal error.
     */
    static FrontException failure(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof FrontException front ? front
                : new FrontException(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }
}
