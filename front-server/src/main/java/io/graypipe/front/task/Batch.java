package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.protocol.ExecutionMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several tasks processed together. It follows each of its tasks and keeps the aggregate; subscribers hear of
 * every task state change with the new aggregate. Like a task's, its subscribers run under its lock and must
 * not block. Lock order: a task's lock, then the batch's; the batch never takes a task's lock.
 *
 * <p>A batch of one multi-file upload is closed from the start. A batch made by {@code POST /batches} is open:
 * tasks join it ({@link #add}) until it is closed ({@link #close}). It is finished only once it is closed and all
 * its tasks are final, so "done" never fires between two uploads of a run.
 */
public final class Batch {
    private static final Logger log = LoggerFactory.getLogger(Batch.class);

    /** What a batch subscriber is told: the task that changed (null for the first call) and the aggregate. */
    public interface Subscriber {
        void changed(TaskStatus task, BatchStatus batch);
    }

    private final String id;
    private final Clock clock;
    private final Instant createdAt;
    private final List<Member> members = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    /**
     * The batch's task events, in order: each task state change with the batch figures as they were then. An
     * event's number (from 1) is its id in an event stream, so a client that reconnects with {@code Last-Event-ID}
     * gets exactly the ones it missed.
     */
    private final List<Change> history = new ArrayList<>();
    private boolean closed;
    private Instant finishedAt;
    /** When a task last joined or the batch was closed; an open batch left alone for the TTL is forgotten. */
    private Instant touchedAt;

    /**
     * One task of the batch and what the archive needs to place its result.
     *
     * @param filename the client's name for the file (may be empty)
     * @param variant  the folder name of its op chain ({@code gray} without ops)
     * @param mode     {@code processes} or {@code threads}, or null for the worker's own
     */
    public record Member(Task task, String filename, String variant, String mode) {
    }

    /** A task's mode as a batch shows it: {@code processes} or {@code threads}, or null for the worker's own. */
    public static String modeLabel(ExecutionMode mode) {
        return mode == null || mode == ExecutionMode.DEFAULT ? null : mode.label();
    }

    Batch(String id, Clock clock) {
        this.id = id;
        this.clock = clock;
        this.createdAt = clock.instant();
        this.touchedAt = createdAt;
    }

    /**
     * Adds a task and starts following it; false (and nothing added) when the batch is already closed. Must not
     * be called under a task's lock: it subscribes to the task outside the batch's lock, keeping the lock order.
     */
    public boolean add(Member member) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            members.add(member);
            member.task().joinedBatch();
            touchedAt = clock.instant();
        }
        member.task().subscribe(this::onTask);
        return true;
    }

    /**
     * Closes the batch: no task joins it any more, and it finishes once all its tasks are final (at once, if they
     * already are). Closing twice is harmless.
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        touchedAt = clock.instant();
        publish(null);
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** The members now, in the order they joined. */
    public synchronized List<Member> members() {
        return List.copyOf(members);
    }

    public String id() {
        return id;
    }

    /** Calls {@code subscriber} at once with the aggregate, then on every task state change until all are final. */
    public synchronized void subscribe(Subscriber subscriber) {
        BatchStatus now = status();
        if (!now.finished()) {
            subscribers.add(subscriber);
        }
        deliver(subscriber, null, now);
    }

    public synchronized void unsubscribe(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    /** One task event of the batch: the task's new status and the batch's figures then (no task list). */
    public record Change(TaskStatus task, BatchStatus batch) {
    }

    /** A subscriber told each task event's number too (0 for a call that is not a task event). */
    public interface NumberedSubscriber {
        void changed(int event, TaskStatus task, BatchStatus batch);
    }

    /**
     * Like {@link #subscribe}, with each task event's number. With {@code after} 0 the first call has no task and
     * the aggregate; with the number of an event already seen, the calls replay the task events after it as they
     * were, then go on live (and, if the batch is already finished, end with one call without a task): a client
     * resuming with {@code Last-Event-ID} gets every event it missed, once.
     */
    public synchronized void follow(int after, NumberedSubscriber subscriber) {
        Numbered numbered = new Numbered(subscriber, this);
        if (after <= 0) {
            subscribe(numbered);
            return;
        }
        for (int event = after + 1; event <= history.size(); event++) {
            Change past = history.get(event - 1);
            subscriber.changed(event, past.task(), past.batch());
        }
        BatchStatus now = status();
        if (now.finished()) {
            deliver(numbered, null, now);
        } else {
            subscribers.add(numbered);
        }
    }

    public synchronized void unfollow(NumberedSubscriber subscriber) {
        subscribers.remove(new Numbered(subscriber, this));
    }

    /** Called under the batch's lock, right after a task event was added: its number is the history's size. */
    private record Numbered(NumberedSubscriber subscriber, Batch batch) implements Subscriber {
        @Override
        public void changed(TaskStatus task, BatchStatus status) {
            subscriber.changed(task == null ? 0 : batch.history.size(), task, status);
        }
    }

    private synchronized void onTask(TaskStatus changed) {
        publish(changed);
    }

    /** Tells subscribers of a change ({@code changed} null: the batch itself changed); called under the lock. */
    private void publish(TaskStatus changed) {
        if (finishedAt != null) {
            return;
        }
        BatchStatus now = status();
        if (now.finished()) {
            finishedAt = clock.instant();
            now = status();
        }
        if (changed != null) {
            history.add(new Change(changed, now.summary()));
        }
        for (Subscriber subscriber : List.copyOf(subscribers)) {
            deliver(subscriber, changed, now);
        }
        if (now.finished()) {
            subscribers.clear();
        }
    }

    private void deliver(Subscriber subscriber, TaskStatus changed, BatchStatus now) {
        try {
            subscriber.changed(changed, now);
        } catch (RuntimeException e) {
            log.warn("a subscriber of batch {} failed", id, e);
        }
    }

    /** The aggregate now. Reads the tasks' lock-free snapshots. */
    public synchronized BatchStatus status() {
        List<BatchStatus.Item> items = new ArrayList<>(members.size());
        for (Member member : members) {
            items.add(new BatchStatus.Item(member.filename(), member.variant(), member.mode(), member.task().status()));
        }
        return BatchStatus.of(id, createdAt, finishedAt, closed, items, clock.instant());
    }

    /** Whether the batch may be forgotten: finished, or left open and untouched, before {@code cutoff}. */
    synchronized boolean expiredBefore(Instant cutoff) {
        return finishedAt != null ? finishedAt.isBefore(cutoff) : !closed && touchedAt.isBefore(cutoff);
    }

    /**
     * A batch at one moment, as {@code GET /batches/{id}} shows it.
     *
     * @param total           tasks in the batch so far (final once {@code closed})
     * @param closed          whether tasks may still join it
     * @param finished        closed and every task final
     * @param imagesPerSecond images done per second since the batch was created (until it finished)
     * @param cacheHits       done tasks answered from the result cache
     * @param variants        the counts per variant name ({@code OpChain.variantName()}), in the order the
     *                        variants first appear among the tasks
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchStatus(String id, Instant createdAt, Instant finishedAt, int total, int queued, int running,
                              int done, int failed, int cancelled, boolean closed, boolean finished,
                              double imagesPerSecond, Map<String, VariantCounts> variants, List<Item> tasks,
                              int cacheHits) {
        /**
         * The figures of {@code items}, as any front computes them from a batch's tasks, local or shared.
         *
         * @param finishedAt when the last task finished, or null while some still run
         * @param closed     whether no more tasks may join (always true for a batch of one upload)
         * @param now        the end of the rate's window while the batch runs
         */
        public static BatchStatus of(String id, Instant createdAt, Instant finishedAt, boolean closed, List<Item> items,
                                     Instant now) {
            int queued = 0;
            int running = 0;
            int done = 0;
            int failed = 0;
            int cancelled = 0;
            int cacheHits = 0;
            Map<String, VariantCounts> variants = new LinkedHashMap<>();
            for (Item item : items) {
                TaskStatus status = item.task();
                variants.merge(status.variant(), VariantCounts.of(status), VariantCounts::plus);
                if (status.status() == TaskState.DONE && status.cache() != null && status.cache().hit()) {
                    cacheHits++;
                }
                switch (status.status()) {
                    case QUEUED -> queued++;
                    case GRAYSCALE, SCALING -> running++;
                    case DONE -> done++;
                    case FAILED -> failed++;
                    case CANCELLED -> cancelled++;
                }
            }
            boolean finished = closed && done + failed + cancelled == items.size();
            Instant end = finishedAt != null ? finishedAt : now;
            double seconds = Math.max(Duration.between(createdAt, end).toMillis(), 1) / 1000.0;
            return new BatchStatus(id, createdAt, finishedAt, items.size(), queued, running, done, failed, cancelled,
                    closed, finished, Math.round(done / seconds * 100) / 100.0, variants, items, cacheHits);
        }

        /** The same figures without the per-task list, for events that carry one task anyway. */
        public BatchStatus summary() {
            return new BatchStatus(id, createdAt, finishedAt, total, queued, running, done, failed, cancelled,
                    closed, finished, imagesPerSecond, variants, null, cacheHits);
        }

        /** The tasks of one variant: its chain ({@code ops}, canonical) and how many are done or failed. */
        public record VariantCounts(String ops, int total, int done, int failed) {
            static VariantCounts of(TaskStatus task) {
                return new VariantCounts(task.ops(), 1, task.status() == TaskState.DONE ? 1 : 0,
                        task.status() == TaskState.FAILED ? 1 : 0);
            }

            VariantCounts plus(VariantCounts other) {
                return new VariantCounts(ops, total + other.total, done + other.done, failed + other.failed);
            }
        }

        /** One file of the batch, the variant and mode it was sent with, and its task's status. */
        public record Item(String filename, String variant, String mode, TaskStatus task) {
        }
    }
}
