package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.TaskStore;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Async tasks that survive the front: each is in the {@link TaskStore} before its 202 goes out, its result is
 * on disk before it shows as done, and its final state is recorded. At start, unfinished tasks are queued again
 * and finished ones are served until their TTL. All file work runs on the storage executor.
 */
public final class DurableTasks {
    private static final Logger log = LoggerFactory.getLogger(DurableTasks.class);
    private static final long REQUEUE_DELAY_MILLIS = 200;
    private static final long STORAGE_RETRY_MILLIS = 50;

    private final TaskStore files;
    private final TaskRegistry tasks;
    private final ImagePipeline pipeline;
    private final ExecutorService storage;
    private final ScheduledExecutorService timer;
    private final Duration requestTimeout;
    /** Recovered tasks the gray queue had no room for yet, retried by the timer. */
    private final Deque<Runnable> waitingForQueue = new ArrayDeque<>();
    /**
     * File deletions of forgotten and finished tasks, run by one storage task at a time: a sweep forgets every
     * task past its TTL at once (hundreds under load), and one storage task each overflowed the bounded storage
     * queue, so most deletions were dropped and the data directory grew until the next start.
     */
    private final Queue<Runnable> deletions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean deleting = new AtomicBoolean();
    private volatile boolean stopping;

    public DurableTasks(TaskStore files, TaskRegistry tasks, ImagePipeline pipeline, ExecutorService storage,
                        ScheduledExecutorService timer, Duration requestTimeout) {
        this.files = files;
        this.tasks = tasks;
        this.pipeline = pipeline;
        this.storage = storage;
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        tasks.onForget(this::forget);
    }

    /**
     * Writes the upload and the task record to disk, then queues the task. The future completes once the task is
     * on disk, or fails with an {@link FrontException}: STORAGE_FULL, OVERLOADED, or INTERNAL on an I/O error.
     * {@code upload} is released in every case.
     */
    /** See {@link AsyncTasks#accept(Upload, ProcessingOptions)}. */
    public CompletableFuture<Task> accept(Upload upload, ProcessingOptions options) {
        try {
            return CompletableFuture.supplyAsync(() -> store(upload, options), storage);
        } catch (RejectedExecutionException e) {
            upload.release().run();
            return CompletableFuture.failedFuture(ImagePipeline.overloaded());
        }
    }


    private Task store(Upload upload, ProcessingOptions options) {
        long size = upload.source().length();
        if (!files.reserve(size)) {
            upload.release().run();
            throw new FrontException(ErrorCode.STORAGE_FULL, "the task store is full (" + files.usedBytes()
                    + " of " + files.maxBytes() + " bytes, --max-data-bytes); fetch or delete finished tasks, "
                    + "or retry after the Retry-After delay");
        }
        Task task = tasks.createDurable(options.scale(), options.ops(), options.mode(), requestTimeout,
                upload.owner());
        ImagePipeline.recordCacheRequest(task, options);
        String id = task.id();
        try (InputStream in = upload.source().openStream()) {
            files.writeUpload(id, in);
            files.writeRecord(record(task.status(), options));
        } catch (IOException e) {
            files.unreserve(size);
            files.deleteTask(id);
            tasks.delete(id);
            log.error("cannot store task {} in {}", id, files.location(), e);
            throw new FrontException(ErrorCode.INTERNAL, "the task could not be stored; it has been logged");
        } finally {
            upload.release().run();
        }
        task.finished().thenAccept(this::recordFinal);
        try {
            pipeline.start(task, stored(id).ownedBy(upload.owner()), options, this::storeResult);
        } catch (RejectedExecutionException e) {
            tasks.delete(id);
            throw ImagePipeline.overloaded();
        }
        return task;
    }

    /** The stored upload as the pipeline reads it; the file goes when the task is final, not when it is read. */
    private Upload stored(String id) {
        return new Upload(files.upload(id), id, () -> { });
    }

    /** Writes a done task's image, then its record, and only then shows it as done. */
    private void storeResult(Task task, byte[] image, ImageInfo output, ExecutionMode ranIn) {
        // Dropped only when shutting down: the task stays queued on disk and runs again at the next start.
        runOnStorage(() -> {
            try {
                files.writeResult(task.id(), image);
                files.writeRecord(new TaskRecord(task.status().done(output, ranIn, Instant.now()), null, 0));
                task.complete(null, output, ranIn);
            } catch (IOException e) {
                log.error("cannot store the result of task {}", task.id(), e);
                task.fail(new FrontException(ErrorCode.INTERNAL, "the result could not be stored; it has been logged"));
            }
        });
    }

    /** Records a task's final state. While stopping, failures are not recorded: the task runs again at next start. */
    private void recordFinal(TaskStatus status) {
        if (status.status() == TaskState.DONE || status.status() == TaskState.CANCELLED
                || (stopping && status.status() == TaskState.FAILED)) {
            if (status.status() == TaskState.DONE) {
                deleteLater(() -> files.deleteUpload(status.id()));
            }
            return;
        }
        runOnStorage(() -> {
            try {
                if (tasks.find(status.id()).isPresent()) {
                    files.writeRecord(new TaskRecord(status, null, 0));
                    files.deleteUpload(status.id());
                }
            } catch (IOException e) {
                log.error("cannot record that task {} failed", status.id(), e);
            }
        });
    }

    private void forget(String id) {
        deleteLater(() -> files.deleteTask(id));
    }

    private void deleteLater(Runnable deletion) {
        deletions.add(deletion);
        if (deleting.compareAndSet(false, true)) {
            runOnStorage(this::runDeletions);
        }
    }

    private void runDeletions() {
        for (Runnable deletion = deletions.poll(); deletion != null; deletion = deletions.poll()) {
            try {
                deletion.run();
            } catch (RuntimeException e) {
                log.error("cannot delete a task's files", e);
            }
        }
        deleting.set(false);
        // A deletion added after the last poll, while deleting was still true, found nobody to schedule it.
        if (!deletions.isEmpty() && deleting.compareAndSet(false, true)) {
            runOnStorage(this::runDeletions);
        }
    }

    /**
     * Runs file work for a task already accepted. A full storage queue refuses new uploads (503), but this work
     * is retried until there is room; it is dropped only once the storage executor is shut down.
     */
    private void runOnStorage(Runnable work) {
        try {
            storage.execute(work);
        } catch (RejectedExecutionException e) {
            if (storage.isShutdown()) {
                log.debug("storage work dropped: shutting down");
                return;
            }
            try {
                timer.schedule(() -> runOnStorage(work), STORAGE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                log.debug("storage work dropped: shutting down");
            }
        }
    }

    /** Cancels a task that was accepted but must not run after all, and forgets it and its files. */
    public void delete(Task task) {
        tasks.delete(task.id());
    }

    /**
     * Runs {@code work} on the storage executor with a reader of results, for work that reads many results in a
     * row (a batch's archive). Throws OVERLOADED when the storage queue is full.
     */
    public void readOnStorage(Consumer<AsyncTasks.ResultReader> work) {
        try {
            storage.execute(() -> work.accept(id -> {
                try {
                    return files.readResult(id);
                } catch (NoSuchFileException gone) {
                    throw new AsyncTasks.ResultGone(id);
                }
            }));
        } catch (RejectedExecutionException e) {
            throw ImagePipeline.overloaded();
        }
    }

    /**
     * Reads the result of a done durable task, off the event loop. Throws OVERLOADED (503 with Retry-After) when
     * the storage queue is full, as accepting does; the future fails only when the result cannot be read.
     */
    public CompletableFuture<byte[]> readResult(Task task) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return files.readResult(task.id());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, storage);
        } catch (RejectedExecutionException e) {
            throw ImagePipeline.overloaded();
        }
    }

    /**
     * Loads the data directory at start: finished tasks come back as they were, unfinished ones are queued again
     * with a fresh deadline, and files no record owns are deleted. Call before the front accepts requests.
     */
    public void recover() throws IOException {
        List<TaskRecord> records = files.readRecords();
        Set<String> known = new HashSet<>();
        int resumed = 0;
        for (TaskRecord record : records) {
            TaskStatus status = record.task();
            String id = status.id();
            if (status.status() == TaskState.DONE && !files.hasResult(id)) {
                log.error("task {} is recorded done but its result is missing; forgetting it", id);
                files.deleteTask(id);
                continue;
            }
            known.add(id);
            if (status.status().isFinal()) {
                // A kill between a task finishing and its upload being deleted leaves the upload behind.
                files.deleteUpload(id);
                tasks.restore(status, requestTimeout);
                continue;
            }
            Task task = tasks.restore(status.requeued(), requestTimeout);
            task.finished().thenAccept(this::recordFinal);
            if (!files.hasUpload(id)) {
                task.fail(new FrontException(ErrorCode.INTERNAL, "the upload of this task was lost from the data directory"));
                continue;
            }
            // Records written before chains and modes existed have neither: plain gray where the worker likes.
            ProcessingOptions options = ProcessingOptions.recorded(status.scale(), record.format(), record.quality(),
                    status.mode() == null ? ExecutionMode.DEFAULT : status.mode(),
                    status.ops() == null ? OpChain.EMPTY : OpChain.parse(status.ops()))
                    .withCache(cacheRequest(status));
            enqueue(() -> pipeline.start(task, stored(id), options, this::storeResult));
            resumed++;
        }
        int orphans = files.sweepOrphans(known);
        log.info("data directory {}: {} tasks, {} resumed, {} orphaned files deleted, {} bytes used",
                files.location(), known.size(), resumed, orphans, files.usedBytes());
    }

    /** What a stored task's request let the result cache do; records from before the cache: use, shared. */
    static ProcessingOptions.CacheRequest cacheRequest(TaskStatus status) {
        return status.cache() == null ? ProcessingOptions.CacheRequest.DEFAULT
                : ProcessingOptions.CacheRequest.of(status.cache().policy(), status.cache().scope());
    }

    /** Starts a recovered task now, or as soon as the gray queue has room. */
    private void enqueue(Runnable start) {
        synchronized (waitingForQueue) {
            waitingForQueue.addLast(start);
        }
        drainWaiting();
    }

    private void drainWaiting() {
        synchronized (waitingForQueue) {
            while (!waitingForQueue.isEmpty() && !stopping) {
                try {
                    waitingForQueue.peekFirst().run();
                    waitingForQueue.pollFirst();
                } catch (RejectedExecutionException full) {
                    timer.schedule(this::drainWaiting, REQUEUE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
            }
        }
    }

    /** From now on, failures are not recorded: tasks interrupted by the shutdown stay queued on disk. */
    public void stopping() {
        stopping = true;
    }

    /** The record of a new task: its status and what to run it with. */
    static TaskRecord record(TaskStatus status, ProcessingOptions options) {
        if (options == null) {
            return new TaskRecord(status, null, 0);
        }
        return new TaskRecord(status, options.recordedFormat(), options.quality());
    }
}
