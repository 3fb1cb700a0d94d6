package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.json.Json;
import io.graypipe.front.store.StoreException;
import io.graypipe.front.store.redis.RedisConnections;
import io.graypipe.front.store.redis.RedisEvents;
import io.graypipe.front.store.redis.RedisBatches;
import io.graypipe.front.store.redis.RedisTasks;
import io.graypipe.front.store.redis.RedisWorkQueue;
import io.graypipe.front.store.redis.StoredBatch;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.worker.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
 * Three classes: this one (accepting, reads, batches, errors), {@link SharedEventFeeds} (event streams) and
 * {@link SharedWorkLoop} (taking and running work).
 */
public final class SharedTasks implements AsyncTasks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedTasks.class);

    private final RedisConnections connections;
    private final String location;
    private final RedisTasks store;
    private final RedisBatches batches;
    private final ScheduledExecutorService timer;
    private final RedisEvents events;
    private final SharedEventFeeds feeds;
    private final TaskRegistry registry;
    private final ExecutorService storage;
    private final Clock clock;
    private final Duration requestTimeout;
    private final SharedWorkLoop loop;

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
        this.batches = new RedisBatches(connections, Json.MAPPER, clock, registry.resultTtl());
        this.timer = timer;
        this.events = new RedisEvents(connections);
        this.feeds = new SharedEventFeeds(events, this);
        this.registry = registry;
        this.storage = storage;
        this.requestTimeout = requestTimeout;
        this.loop = new SharedWorkLoop(store, new RedisWorkQueue(connections, consumerName, claimIdle), location,
                claimIdle, registry, pipeline, workers, timer, clock, requestTimeout, slots);
    }

    /** Starts the work loop and the touching of taken entries, and keeps the members of running batches. */
    public void start() {
        loop.start();
        long keepMillis = Math.max(1, batches.keepPeriod().toMillis());
        timer.scheduleWithFixedDelay(this::keepBatchMembers, keepMillis, keepMillis, TimeUnit.MILLISECONDS);
    }

    /** Every front does it, so it goes on while any front runs; a pass Redis refuses is made up by the next. */
    private void keepBatchMembers() {
        batches.keepMembers().whenComplete((extended, error) -> {
            if (error != null) {
                log.warn("could not keep the members of running batches in {}: {}", location, error.getMessage());
            }
        });
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
        return image.thenCompose(bytes -> store.create(DurableTasks.record(task.status(), options), upload.owner(),
                        bytes))
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
        return translated(batches.createBatch(batchId, members.stream().map(member -> member.task().id()).toList(),
                members.stream().map(Batch.Member::filename).toList())).thenApply(created -> batchId);
    }

    // ---- open batches, from any front

    @Override
    public CompletableFuture<String> openBatch(ClientId owner) {
        String batchId = registry.newId(owner);
        return translated(batches.openBatch(batchId)).thenApply(opened -> batchId);
    }

    /** Whether a batch can be joined is known only in Redis: {@link #join} refuses it there. */
    @Override
    public void checkJoinable(String id) {
    }

    @Override
    public CompletableFuture<Boolean> join(String id, Batch.Member member) {
        return translated(batches.addToBatch(id, member.task().id(), member.filename())).thenApply(joined -> {
            if (joined == RedisBatches.Joined.NO_SUCH_BATCH) {
                throw AsyncTasks.batchNotFound(id);
            }
            return joined == RedisBatches.Joined.JOINED;
        });
    }

    @Override
    public CompletableFuture<Batch.BatchStatus> closeBatch(String id) {
        return translated(batches.closeBatch(id)).thenCompose(found -> {
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
                    return store.readResult(id).get().orElseThrow(() -> new ResultGone(id));
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
        return translated(batches.findBatch(id)).thenApply(found -> found.map(this::batchStatus));
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
        loop.stopping();
    }

    @Override
    public void close() {
        loop.stopping();
        events.close();
        connections.close();
    }
}
