package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.json.Json;
import io.graypipe.front.store.StoreException;
import io.graypipe.front.store.redis.RedisConnections;
import io.graypipe.front.store.redis.RedisEvents;
import io.graypipe.front.store.redis.RedisTasks;
import io.graypipe.front.store.redis.RedisWorkQueue;
import io.graypipe.front.store.redis.StoredBatch;
import io.graypipe.front.store.redis.StoredTask;
import io.graypipe.front.store.redis.WorkItem;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.ExecutionMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Async tasks shared by several fronts through Redis ({@code --store}). Redis is the truth: a task's record,
 * upload, result, events and batch live there, so any front answers for any task by reading Redis, never its own
 * memory. Accepting a task stores it and puts it in the work queue in one step; a work loop on every front takes
 * entries from the queue, runs each task through this front's {@link ImagePipeline} as a local copy, and writes
 * each stage back; the result and the {@code done} state are written together, only once, however many fronts
 * ran it (docs/scale-out.md).
 *
 * <p>Nothing here blocks a thread on Redis: every call returns a future completed on a Lettuce I/O thread. Reading
 * an upload's spooled file runs on the storage executor. The loop's timers run on the housekeeping thread.
 */
public final class SharedTasks implements AsyncTasks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedTasks.class);
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

    private final RedisConnections connections;
    private final String location;
    private final RedisTasks store;
    private final RedisWorkQueue queue;
    private final RedisEvents events;
    private final SharedEventFeeds feeds;
    private final TaskRegistry registry;
    private final ImagePipeline pipeline;
    private final Workers workers;
    private final ExecutorService storage;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration requestTimeout;
    private final Duration touchInterval;
    /** Tasks this front runs at once; it takes no more from the queue than it has room for. */
    private final Semaphore slots;
    /** Work entries this front took and has not finished, by entry id: touched so no other front claims them. */
    private final Map<String, String> inFlight = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /**
     * @param location  the store's address without credentials, for messages
     * @param slots     tasks this front runs at once
     * @param claimIdle how long a taken entry may go untouched before another front claims it
     */
    public SharedTasks(RedisConnections connections, String location, String consumerName, Duration claimIdle,
                       TaskRegistry registry, ImagePipeline pipeline, Workers workers, ExecutorService storage,
                       ScheduledExecutorService timer, Duration requestTimeout, int slots) {
        this.connections = connections;
        this.location = location;
        this.clock = Clock.systemUTC();
        this.store = new RedisTasks(connections, Json.MAPPER, clock, registry.resultTtl());
        this.queue = new RedisWorkQueue(connections, consumerName, claimIdle);
        this.events = new RedisEvents(connections);
        this.feeds = new SharedEventFeeds(events, this);
        this.registry = registry;
        this.pipeline = pipeline;
        this.workers = workers;
        this.storage = storage;
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        Duration third = claimIdle.dividedBy(3);
        this.touchInterval = third.compareTo(RedisWorkQueue.TOUCH_INTERVAL) < 0 ? third : RedisWorkQueue.TOUCH_INTERVAL;
        this.slots = new Semaphore(slots);
    }

    /** Starts the work loop and the touching of taken entries. */
    public void start() {
        queue.ensureGroup().whenComplete((created, error) -> {
            if (error != null) {
                log.warn("cannot create the work queue's group in {} yet: {}", location, error.getMessage());
            }
            timer.execute(this::takeMore);
        });
        timer.scheduleWithFixedDelay(this::touchInFlight, touchInterval.toMillis(), touchInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    // ---- accepting

    @Override
    public CompletableFuture<Task> accept(Upload upload, ProcessingOptions options) {
        Task task = registry.detached(options.scale(), options.ops(), options.mode(), requestTimeout,
                upload.owner());
        ImagePipeline.recordCacheRequest(task, options);
        CompletableFuture<byte[]> image;
        try {
            image = CompletableFuture.supplyAsync(() -> read(upload.source()), storage);
        } catch (RejectedExecutionException e) {
            upload.release().run();
            return CompletableFuture.failedFuture(ImagePipeline.overloaded());
        }
        return image.thenCompose(bytes -> store.create(DurableTasks.record(task.status(), options), bytes))
                .handle((firstEvent, error) -> {
                    upload.release().run();
                    if (error != null) {
                        throw failure(error);
                    }
                    return task;
                });
    }

    private static byte[] read(ImageSource source) {
        try {
            return source.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CompletableFuture<String> createBatch(List<Batch.Member> members, ClientId owner) {
        String batchId = registry.newId(owner);
        return translated(store.createBatch(batchId, members.stream().map(member -> member.task().id()).toList(),
                members.stream().map(Batch.Member::filename).toList())).thenApply(created -> batchId);
    }

    // ---- open batches, from any front

    @Override
    public CompletableFuture<String> openBatch(ClientId owner) {
        String batchId = registry.newId(owner);
        return translated(store.openBatch(batchId)).thenApply(opened -> batchId);
    }

    /** Whether a batch can be joined is known only in Redis: {@link #join} refuses it there. */
    @Override
    public void checkJoinable(String id) {
    }

    @Override
    public CompletableFuture<Boolean> join(String id, Batch.Member member) {
        return translated(store.addToBatch(id, member.task().id(), member.filename())).thenApply(joined -> {
            if (joined == RedisTasks.Joined.NO_SUCH_BATCH) {
                throw AsyncTasks.batchNotFound(id);
            }
            return joined == RedisTasks.Joined.JOINED;
        });
    }

    @Override
    public CompletableFuture<Batch.BatchStatus> closeBatch(String id) {
        return translated(store.closeBatch(id)).thenCompose(found -> {
            if (!found) {
                throw AsyncTasks.batchNotFound(id);
            }
            return batch(id);
        }).thenApply(found -> found.orElseThrow(() -> AsyncTasks.batchNotFound(id)));
    }

    @Override
    public CompletableFuture<Batch.BatchStatus> finishedBatch(String id) {
        return batch(id).thenApply(found -> {
            Batch.BatchStatus status = found.orElseThrow(() -> AsyncTasks.batchNotFound(id));
            if (!status.finished()) {
                throw AsyncTasks.notFinished(status);
            }
            return status;
        });
    }

    /** Each result is read from Redis on the storage thread, which may wait for it. */
    @Override
    public void readOnStorage(Consumer<ResultReader> work) {
        try {
            storage.execute(() -> work.accept(id -> {
                try {
                    return store.readResult(id).get().orElseThrow(() -> new IOException("the result of task " + id
                            + " is no longer kept"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted reading the result of task " + id, e);
                } catch (ExecutionException e) {
                    throw new IOException("cannot read the result of task " + id + ": " + failure(e).getMessage(), e);
                }
            }));
        } catch (RejectedExecutionException e) {
            throw ImagePipeline.overloaded();
        }
    }

    @Override
    public void discard(Task task) {
        store.delete(task.id());
    }

    // ---- reading, from any front

    @Override
    public CompletableFuture<Optional<TaskStatus>> status(String id) {
        return translated(store.find(id)).thenApply(found -> found.map(task -> task.record().task()));
    }

    /** The output image of a done task; empty when it is not kept (not done, deleted or expired). */
    @Override
    public CompletableFuture<Optional<byte[]>> result(String id) {
        return translated(store.readResult(id));
    }

    /** Cancels the task if it is still pending, here or on any front, and forgets it and its result. */
    @Override
    public CompletableFuture<Optional<TaskStatus>> delete(String id) {
        return translated(store.delete(id)).thenApply(last -> {
            // A copy running here stops; one running on another front finds the task gone when it finishes.
            registry.find(id).filter(Task::durable).ifPresent(Task::cancel);
            return last;
        });
    }

    @Override
    public CompletableFuture<Optional<Batch.BatchStatus>> batch(String id) {
        return translated(store.findBatch(id)).thenApply(found -> found.map(this::batchStatus));
    }

    private Batch.BatchStatus batchStatus(StoredBatch batch) {
        List<Batch.BatchStatus.Item> items = batch.items().stream().filter(item -> item.task() != null)
                .map(item -> new Batch.BatchStatus.Item(item.filename(), item.task().variant(),
                        Batch.modeLabel(item.task().mode()), item.task())).toList();
        return Batch.BatchStatus.of(batch.id(), batch.createdAt(), batch.finishedAt(), !batch.open(), items,
                clock.instant());
    }

    @Override
    public CompletableFuture<Optional<Consumer<EventSink>>> taskEvents(String id, String lastEventId) {
        return feeds.taskEvents(id, lastEventId);
    }

    @Override
    public CompletableFuture<Optional<Consumer<EventSink>>> batchEvents(String id, String lastEventId) {
        return feeds.batchEvents(id, lastEventId);
    }

    /** Null while Redis is reachable; otherwise why not, for {@code /readyz}. */
    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return connections.isConnected() ? null : "the task store (Redis at " + location + ") cannot be reached:"
                + " async uploads and task reads answer 503 storage_unavailable until it is back; sync requests are served";
    }

    // ---- the work loop

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
        inFlight.put(item.entryId(), item.taskId());
        if (item.claimed()) {
            log.info("claimed task {} from a front that stopped working on it", item.taskId());
        }
        store.find(item.taskId()).thenCompose(found -> {
            if (found.isEmpty() || found.get().record().task().status().isFinal()) {
                // Deleted or expired before anyone ran it, or finished by a front presumed dead: nothing to do.
                return queue.drop(item.entryId()).thenRun(() -> release(item));
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
            pipeline.start(task, new Upload(ImageSource.of(upload.get()), status.id(), () -> { }), options,
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
        store.complete(done, image, item.entryId()).whenComplete((change, error) -> {
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
        store.finish(status, item.entryId()).whenComplete((change, error) -> {
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
        if (inFlight.remove(item.entryId()) != null) {
            slots.release();
        }
    }

    private void touchInFlight() {
        queue.touch(List.copyOf(inFlight.keySet())).whenComplete((ok, error) -> {
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

    // ---- errors

    /** The error a client sees when Redis failed: 503 storage_unavailable or storage_full, anything else internal. */
    public static FrontException failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof UncheckedIOException)
                && cause.getCause() != null && cause != cause.getCause()) {
            if (cause instanceof UncheckedIOException) {
                log.error("cannot read an upload", cause);
                return new FrontException(ErrorCode.INTERNAL, "the upload could not be read; it has been logged");
            }
            cause = cause.getCause();
        }
        if (cause instanceof FrontException front) {
            return front;
        }
        if (cause instanceof StoreException store) {
            return new FrontException(store.reason() == StoreException.Reason.STORAGE_FULL ? ErrorCode.STORAGE_FULL
                    : ErrorCode.STORAGE_UNAVAILABLE, store.getMessage());
        }
        log.error("unexpected failure of the task store", cause);
        return new FrontException(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }

    private static <T> CompletableFuture<T> translated(CompletableFuture<T> future) {
        return future.handle((value, error) -> {
            if (error != null) {
                throw failure(error);
            }
            return value;
        });
    }

    /** Stops taking work; tasks running here stay pending in Redis and are claimed by the other fronts. */
    public void stopping() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        events.close();
        connections.close();
    }
}
