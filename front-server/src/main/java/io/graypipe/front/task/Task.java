package io.graypipe.front.task;

import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ExecutionMode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;
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
    private final List<ObjIntConsumer<TaskStatus>> subscribers = new ArrayList<>();
    /**
     * The task's events: every status whose state differed from the one before, from the first. An event's number
     * (from 1) is its id in an event stream, so a client that reconnects with {@code Last-Event-ID} gets exactly
     * the ones it missed. A few per task (one per state).
     */
    private final List<TaskStatus> history = new ArrayList<>();
    private final CompletableFuture<TaskStatus> finished = new CompletableFuture<>();
    private final Clock clock;
    private final long deadlineNanos;
    private final boolean durable;
    private volatile byte[] result;
    /** How many batches not yet forgotten hold this task: a batch keeps its members until it expires itself. */
    private final AtomicInteger batches = new AtomicInteger();
    /** When it passed each point of the pipeline, for a sync answer's Server-Timing. */
    private final StageClock stages = new StageClock();

    Task(TaskStatus initial, Clock clock, long deadlineNanos, boolean durable) {
        this.status = new AtomicReference<>(initial);
        this.history.add(initial);
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

    /** When the task passed each point of the pipeline (this front's run of it only). */
    public StageClock stages() {
        return stages;
    }

    /** Nanoseconds left before the deadline; zero or less means it passed. */
    public long nanosLeft() {
        return deadlineNanos - System.nanoTime();
    }

    /**
     * Calls {@code subscriber} with the current status at once, then with each new status whose state differs
     * from the one before, up to and including the final one. A task already final gets just the one call.
     */
    public void subscribe(Consumer<TaskStatus> subscriber) {
        follow(0, new Plain(subscriber));
    }

    /** Stops calls to {@code subscriber}, for a listener that went away before the task finished. */
    public void unsubscribe(Consumer<TaskStatus> subscriber) {
        unfollow(new Plain(subscriber));
    }

    /**
     * Like {@link #subscribe}, with each status's event number. With {@code after} 0 the first call has the
     * current status (and the number of its state); with the number of an event already seen, the calls replay
     * the events after it, as they were, then go on live: none missed, none twice.
     *
     * @return whether {@code subscriber} stays subscribed: false when the task was already final, so every call it
     *         gets was made before this returned, on this thread
     */
    public synchronized boolean follow(int after, ObjIntConsumer<TaskStatus> subscriber) {
        TaskStatus current = status.get();
        boolean live = !current.status().isFinal();
        if (live) {
            subscribers.add(subscriber);
        }
        if (after <= 0) {
            deliver(subscriber, current, history.size());
            return live;
        }
        for (int event = after + 1; event <= history.size(); event++) {
            deliver(subscriber, event == history.size() ? current : history.get(event - 1), event);
        }
        return live;
    }

    public synchronized void unfollow(ObjIntConsumer<TaskStatus> subscriber) {
        subscribers.remove(subscriber);
    }

    /** A subscriber that does not need event numbers; equal when it wraps the same one, to unsubscribe it. */
    private record Plain(Consumer<TaskStatus> subscriber) implements ObjIntConsumer<TaskStatus> {
        @Override
        public void accept(TaskStatus status, int event) {
            subscriber.accept(status);
        }
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

    void joinedBatch() {
        batches.incrementAndGet();
    }

    void leftBatch() {
        batches.decrementAndGet();
    }

    /** Whether a batch still holds this task, so that the sweep must keep it and its result. */
    boolean inBatch() {
        return batches.get() > 0;
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
            history.add(next);
            for (ObjIntConsumer<TaskStatus> subscriber : List.copyOf(subscribers)) {
                deliver(subscriber, next, history.size());
            }
            if (next.status().isFinal()) {
                subscribers.clear();
            }
        }
        return true;
    }

    /** A failing subscriber is its own problem; it must not stop the task or the other subscribers. */
    private void deliver(ObjIntConsumer<TaskStatus> subscriber, TaskStatus snapshot, int event) {
        try {
            subscriber.accept(snapshot, event);
        } catch (RuntimeException e) {
            log.warn("a subscriber of task {} failed", snapshot.id(), e);
        }
    }
}
