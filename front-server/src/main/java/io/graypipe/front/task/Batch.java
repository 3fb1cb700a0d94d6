package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * Several tasks uploaded together. It follows each of its tasks and keeps the aggregate; subscribers hear of
 * every task state change with the new aggregate. Like a task's, its subscribers run under its lock and must
 * not block. Lock order: a task's lock, then the batch's; the batch never takes a task's lock.
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
    private final List<Task> tasks;
    private final List<String> filenames;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private Instant finishedAt;

    Batch(String id, Clock clock, List<Task> tasks, List<String> filenames) {
        this.id = id;
        this.clock = clock;
        this.createdAt = clock.instant();
        this.tasks = List.copyOf(tasks);
        this.filenames = List.copyOf(filenames);
    }

    /** Starts following the tasks; separate from the constructor so no half-built batch is ever shared. */
    void follow() {
        tasks.forEach(task -> task.subscribe(this::onTask));
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

    private synchronized void onTask(TaskStatus changed) {
        if (finishedAt != null) {
            return;
        }
        BatchStatus now = status();
        if (now.finished()) {
            finishedAt = clock.instant();
            now = status();
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
        List<BatchStatus.Item> items = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            items.add(new BatchStatus.Item(filenames.get(i), tasks.get(i).status()));
        }
        return BatchStatus.of(id, createdAt, finishedAt, items, clock.instant());
    }

    /** When the last task finished, or null while some still run; for expiry. */
    synchronized Instant finishedAt() {
        return finishedAt;
    }

    /**
     * A batch at one moment, as {@code GET /batches/{id}} shows it.
     *
     * @param imagesPerSecond images done per second since the batch was created (until it finished)
     * @param variants        the counts per variant name ({@code OpChain.variantName()}), in the order the
     *                        variants first appear among the tasks
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchStatus(String id, Instant createdAt, Instant finishedAt, int total, int queued, int running,
                              int done, int failed, int cancelled, boolean finished, double imagesPerSecond,
                              Map<String, VariantCounts> variants, List<Item> tasks) {
        /**
         * The figures of {@code items}, as any front computes them from a batch's tasks, local or shared.
         *
         * @param finishedAt when the last task finished, or null while some still run
         * @param now        the end of the rate's window while the batch runs
         */
        public static BatchStatus of(String id, Instant createdAt, Instant finishedAt, List<Item> items, Instant now) {
            int queued = 0;
            int running = 0;
            int done = 0;
            int failed = 0;
            int cancelled = 0;
            Map<String, VariantCounts> variants = new LinkedHashMap<>();
            for (Item item : items) {
                TaskStatus status = item.task();
                variants.merge(status.variant(), VariantCounts.of(status), VariantCounts::plus);
                switch (status.status()) {
                    case QUEUED -> queued++;
                    case GRAYSCALE, SCALING -> running++;
                    case DONE -> done++;
                    case FAILED -> failed++;
                    case CANCELLED -> cancelled++;
                }
            }
            boolean finished = done + failed + cancelled == items.size();
            Instant end = finishedAt != null ? finishedAt : now;
            double seconds = Math.max(Duration.between(createdAt, end).toMillis(), 1) / 1000.0;
            return new BatchStatus(id, createdAt, finishedAt, items.size(), queued, running, done, failed, cancelled,
                    finished, Math.round(done / seconds * 100) / 100.0, variants, items);
        }

        /** The same figures without the per-task list, for events that carry one task anyway. */
        public BatchStatus summary() {
            return new BatchStatus(id, createdAt, finishedAt, total, queued, running, done, failed, cancelled,
                    finished, imagesPerSecond, variants, null);
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

        /** One file of the batch and its task's status. */
        public record Item(String filename, TaskStatus task) {
        }
    }
}
