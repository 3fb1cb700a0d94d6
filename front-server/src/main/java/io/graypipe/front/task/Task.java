package io.graypipe.front.task;

import io.graypipe.front.ApiException;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * One upload's journey. Its status is an immutable {@link TaskStatus} swapped atomically, so readers on any
 * thread see a consistent view; once the status is final it never changes again.
 */
public final class Task {
    private final AtomicReference<TaskStatus> status;
    private final CompletableFuture<TaskStatus> finished = new CompletableFuture<>();
    private final Clock clock;
    private final long deadlineNanos;
    private final boolean durable;
    private volatile byte[] result;

    Task(TaskStatus initial, Clock clock, long deadlineNanos, boolean durable) {
        this.status = new AtomicReference<>(initial);
        this.clock = clock;
        this.deadlineNanos = deadlineNanos;
        this.durable = durable;
    }

    /** Whether the task lives in the data directory (async tasks), rather than only in memory (sync ones). */
    public boolean durable() {
        return durable;
    }

    public String id() {
        return status.get().id();
    }

    public TaskStatus status() {
        return status.get();
    }

    /**
     * The encoded output image of a sync task, once it is done and until it is handed out. Null for a durable
     * task, whose result is in the data directory.
     */
    public byte[] result() {
        return result;
    }

    /** Completes with the final status, whichever it is. */
    public CompletableFuture<TaskStatus> finished() {
        return finished;
    }

    /** Nanoseconds left before the deadline; zero or less means it passed. */
    public long nanosLeft() {
        return deadlineNanos - System.nanoTime();
    }

    public boolean moveTo(TaskState state) {
        return update(s -> s.with(state, clock.instant()));
    }

    public void recordInput(ImageInfo input) {
        update(s -> s.withInput(input));
    }

    public boolean complete(byte[] encoded, ImageInfo output) {
        result = encoded;
        if (finish(s -> s.done(output, clock.instant()))) {
            return true;
        }
        result = null;
        return false;
    }

    public boolean fail(ApiException error) {
        return finish(s -> s.failed(ErrorInfo.of(error), clock.instant()));
    }

    public boolean cancel() {
        return finish(s -> s.with(TaskState.CANCELLED, clock.instant()));
    }

    /** Drops the result bytes; the status stays. */
    void releaseResult() {
        result = null;
    }

    private boolean finish(UnaryOperator<TaskStatus> change) {
        if (update(change)) {
            finished.complete(status.get());
            return true;
        }
        return false;
    }

    /** Applies {@code change} unless the task is already final. */
    private boolean update(UnaryOperator<TaskStatus> change) {
        while (true) {
            TaskStatus current = status.get();
            if (current.status().isFinal()) {
                return false;
            }
            if (status.compareAndSet(current, change.apply(current))) {
                return true;
            }
        }
    }
}
