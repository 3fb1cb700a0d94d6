package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.store.redis.RedisTasks;
import io.graypipe.front.store.redis.RedisWorkQueue;
import io.graypipe.front.store.redis.StoredTask;
import io.graypipe.front.store.redis.WorkItem;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The work loop of a front with {@code --store}, for {@link SharedTasks}: it takes entries of the shared work
 * queue while it has room, runs each task through the {@link ImagePipeline} as a local copy, stores the result
 * and the final state in Redis, and touches the entries it holds so no other front claims them. Driven from the
 * housekeeping thread and Lettuce's futures, never blocking a thread.
 */
final class SharedWorkLoop {
    private static final Logger log = LoggerFactory.getLogger(SharedWorkLoop.class);
    /** How long one take waits in Redis for new work; short, so a stop or a full front is noticed soon. */
    private static final Duration TAKE_BLOCK = Duration.ofSeconds(1);
    /** Pause before trying Redis again after a failure, or before taking work while this front is full. */
    private static final long RETRY_MILLIS = 1000;
    private static final long FULL_WAIT_MILLIS = 100;
    /**
     * Fronts that may stop while holding one task before it is given up: a task that took down three fronts in
     * a row is more likely their cause than their victim, and claiming it again would take down the next one.
     */
    static final int MAX_DELIVERIES = 3;

    private final RedisTasks store;
    private final RedisWorkQueue queue;
    private final String location;
    private final TaskRegistry registry;
    private final ImagePipeline pipeline;
    private final Workers workers;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration requestTimeout;
    private final Duration touchInterval;
    /** Tasks this front runs at once; it takes no more from the queue than it has room for. */
    private final Semaphore slots;
    /** Work entries this front took and has not finished, by {@link #key}: touched so no other front claims them. */
    private final Map<String, WorkItem> inFlight = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    SharedWorkLoop(RedisTasks store, RedisWorkQueue queue, String location, Duration claimIdle,
                   TaskRegistry registry, ImagePipeline pipeline, Workers workers, ScheduledExecutorService timer,
                   Clock clock, Duration requestTimeout, int slots) {
        this.store = store;
        this.queue = queue;
        this.location = location;
        this.registry = registry;
        this.pipeline = pipeline;
        this.workers = workers;
        this.timer = timer;
        this.clock = clock;
        this.requestTimeout = requestTimeout;
        Duration third = claimIdle.dividedBy(3);
        this.touchInterval = third.compareTo(RedisWorkQueue.TOUCH_INTERVAL) < 0 ? third : RedisWorkQueue.TOUCH_INTERVAL;
        this.slots = new Semaphore(slots);
    }

    /** Starts the work loop and the touching of taken entries. */
    void start() {
        timer.execute(this::takeMore);
        timer.scheduleWithFixedDelay(this::touchInFlight, touchInterval.toMillis(), touchInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops taking work; tasks running here stay pending in Redis and are claimed by the other fronts. */
    void stopping() {
        stopping = true;
    }


    /** Takes as many entries as this front has room for, waiting in Redis for new ones, then comes back. */
    private void takeMore() {
        if (stopping) {
            return;
        }
        int free = slots.availablePermits();
        if (free == 0 || !workers.isReady()) {
            // A front without a live worker takes nothing, leaving the work to fronts that can do it.
            schedule(this::takeMore, free == 0 ? FULL_WAIT_MILLIS : RETRY_MILLIS);
            return;
        }
        queue.take(free, TAKE_BLOCK).whenComplete((items, error) -> {
            if (error != null) {
                log.debug("cannot take work from {}: {}", location, error.getMessage());
                schedule(this::takeMore, RETRY_MILLIS);
                return;
            }
            items.forEach(this::run);
            schedule(this::takeMore, 0);
        });
    }

    private void run(WorkItem item) {
        if (!slots.tryAcquire()) {
            // Not expected: only this loop takes slots. Left pending, the entry is claimed again after the idle time.
            return;
        }
        inFlight.put(key(item), item);
        if (item.claimed()) {
            log.info("claimed task {} from a front that stopped working on it", item.taskId());
        }
        store.find(item.taskId()).thenCompose(found -> {
            if (found.isEmpty() || found.get().record().task().status().isFinal()) {
                // Deleted or expired before anyone ran it, or finished by a front presumed dead: nothing to do.
                return queue.drop(item).thenRun(() -> release(item));
            }
            if (item.deliveries() > MAX_DELIVERIES) {
                giveUp(item, found.get().record().task());
                return CompletableFuture.completedFuture(null);
            }
            return store.readUpload(item.taskId()).thenAccept(upload -> start(item, found.get(), upload));
        }).whenComplete((ignored, error) -> {
            if (error != null) {
                // Left pending and untouched: claimed again (by any front, this one too) after the idle time.
                log.warn("cannot start task {}: {}", item.taskId(), error.getMessage());
                release(item);
            }
        });
    }

    /** Fails a task that every front it was handed to stopped while holding; see {@link #MAX_DELIVERIES}. */
    private void giveUp(WorkItem item, TaskStatus status) {
        log.warn("giving up task {}: the {} fronts that took it stopped before finishing it", status.id(),
                item.deliveries() - 1);
        Task task = registry.restore(status, requestTimeout);
        finishWhenFinal(item, task);
        task.fail(new FrontException(ErrorCode.SCALING_FAILED, "the task was given up after the "
                + (item.deliveries() - 1) + " fronts that took it each stopped before finishing it; the image may"
                + " be what stops them: try another, or check it with POST /process on a test front"));
    }

    private void start(WorkItem item, StoredTask stored, Optional<byte[]> upload) {
        TaskRecord record = stored.record();
        TaskStatus status = record.task();
        if (upload.isEmpty()) {
            Task task = registry.restore(status, requestTimeout);
            finishWhenFinal(item, task);
            task.fail(new FrontException(ErrorCode.INTERNAL, "the upload of this task was lost from the task store"));
            return;
        }
        Task task = registry.restore(status, requestTimeout);
        task.subscribe(now -> {
            if (!now.status().isFinal() && now.status() != status.status()) {
                store.update(now).whenComplete((change, error) -> {
                    if (error != null) {
                        log.debug("cannot record that task {} is {}: {}", now.id(), now.status().label(),
                                error.getMessage());
                    }
                });
            }
        });
        finishWhenFinal(item, task);
        // Records written before chains and modes existed have neither: plain gray where the worker likes.
        ProcessingOptions options = ProcessingOptions.recorded(status.scale(), record.format(), record.quality(),
                status.mode() == null ? ExecutionMode.DEFAULT : status.mode(),
                status.ops() == null ? OpChain.EMPTY : OpChain.parse(status.ops()))
                .withCache(DurableTasks.cacheRequest(status));
        try {
            // Under its owner, as on the front that accepted it: the gray queue and worker dispatch share by it.
            pipeline.start(task, new Upload(ImageSource.of(upload.get()), status.id(), () -> { }, stored.owner()),
                    options,
                    (running, image, output, ranIn) -> complete(item, running, image, output, ranIn));
        } catch (RejectedExecutionException e) {
            // The gray queue is full of sync requests: leave the entry to be claimed again, by this front or another.
            registry.delete(status.id());
            release(item);
        }
    }

    /** Stores the result and the done state together, then shows the local copy as done. */
    private void complete(WorkItem item, Task task, byte[] image, ImageInfo output, ExecutionMode ranIn) {
        TaskStatus done = task.status().done(output, ranIn, clock.instant());
        store.complete(done, image, item).whenComplete((change, error) -> {
            if (error != null) {
                retry(item, () -> complete(item, task, image, output, ranIn), error);
                return;
            }
            if (change != RedisTasks.Change.CHANGED) {
                log.info("task {} was {} already; this front's result is discarded", task.id(),
                        change == RedisTasks.Change.GONE ? "deleted" : "finished by another front");
            }
            task.complete(null, output, ranIn);
        });
    }

    /** Records a failure or cancellation of the local copy; a done one was recorded by {@link #complete}. */
    private void finishWhenFinal(WorkItem item, Task task) {
        task.finished().thenAccept(status -> {
            if (status.status() == TaskState.DONE) {
                forget(item, task);
            } else if (!stopping) {
                recordEnd(item, task, status);
            }
        });
    }

    private void recordEnd(WorkItem item, Task task, TaskStatus status) {
        store.finish(status, item).whenComplete((change, error) -> {
            if (error != null) {
                retry(item, () -> recordEnd(item, task, status), error);
            } else {
                forget(item, task);
            }
        });
    }

    /** Redis is away: try again while the entry is ours; the entry stays pending, so nothing is lost meanwhile. */
    private void retry(WorkItem item, Runnable again, Throwable error) {
        if (stopping) {
            return;
        }
        log.debug("cannot record the end of task {} yet: {}", item.taskId(), error.getMessage());
        schedule(again, RETRY_MILLIS);
    }

    private void forget(WorkItem item, Task task) {
        registry.delete(task.id());
        release(item);
    }

    private void release(WorkItem item) {
        if (inFlight.remove(key(item)) != null) {
            slots.release();
        }
    }

    /** Entry ids are unique within one client's queue only. */
    private static String key(WorkItem item) {
        return item.queue() + " " + item.entryId();
    }

    private void touchInFlight() {
        queue.touch(List.copyOf(inFlight.values())).whenComplete((ok, error) -> {
            if (error != null) {
                log.debug("cannot touch the {} tasks in flight: {}", inFlight.size(), error.getMessage());
            }
        });
    }

    private void schedule(Runnable action, long millis) {
        try {
            timer.schedule(action, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("not scheduled: shutting down");
        }
    }
}
