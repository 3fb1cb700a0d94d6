package io.graypipe.front.task;

import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ExecutionMode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One upload's journey. Its status is an immutable {@link TaskStatus} swapped atomically, so readers on any
 * thread see a consistent view without locking; once the status is final it never changes again.
 *
 * <p>Changes are made under the task's lock so that subscribers see every state change exactly once and in
 * order. Subscribers run under that lock and must not block: they hand the status on and return.
 */
public final class Task {
    private static final Logger log = LoggerFactory.getLogger(Task.class);

    private final AtomicReference<TaskStatus> status;
    private final List<Consumer<TaskStatus>> subscribers = new ArrayList<>();
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

    /**
     * Calls {@code subscriber} with the current status at once, then with each new status whose state differs
     * from the one before, up to and including the final one. A task already final gets just the one call.
     */
    public synchronized void subscribe(Consumer<TaskStatus> subscriber) {
        TaskStatus current = status.get();
        if (!current.status().isFinal()) {
            subscribers.add(subscriber);
        }
        deliver(subscriber, current);
    }

    /** Stops calls to {@code subscriber}, for a listener that went away before the task finished. */
    public synchronized void unsubscribe(Consumer<TaskStatus> subscriber) {
        subscribers.remove(subscriber);
    }

    public boolean moveTo(TaskState state) {
        return update(s -> s.with(state, clock.instant()));
    }

    public void recordInput(ImageInfo input) {
        update(s -> s.withInput(input));
    }

    /** Records what the result cache may do for this task, or did; no state change, so no event. */
    public void recordCache(TaskCache cache) {
        update(s -> s.withCache(cache));
    }

    /** @param ranIn where the worker ran it */
    public boolean complete(byte[] encoded, ImageInfo output, ExecutionMode ranIn) {
        result = encoded;
        if (finish(s -> s.done(output, ranIn, clock.instant()))) {
            return true;
        }
        result = null;
        return false;
    }

    public boolean fail(FrontException error) {
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

    /** Applies {@code change} unless the task is already final, and tells subscribers about a new state. */
    private synchronized boolean update(UnaryOperator<TaskStatus> change) {
        TaskStatus current = status.get();
        if (current.status().isFinal()) {
            return false;
        }
        TaskStatus next = change.apply(current);
        status.set(next);
        if (next.status() != current.status()) {
            for (Consumer<TaskStatus> subscriber : List.copyOf(subscribers)) {
                deliver(subscriber, next);
            }
            if (next.status().isFinal()) {
                subscribers.clear();
            }
        }
        return true;
    }

    /** A failing subscriber is its own problem; it must not stop the task or the other subscribers. */
    private void deliver(Consumer<TaskStatus> subscriber, TaskStatus snapshot) {
        try {
            subscriber.accept(snapshot);
        } catch (RuntimeException e) {
            log.warn("a subscriber of task {} failed", snapshot.id(), e);
        }
    }
}
