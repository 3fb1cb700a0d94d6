package io.graypipe.front.pipeline;

import io.graypipe.front.task.Task;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;

/**
 * Where {@code POST /tasks} puts an accepted upload: {@link DurableTasks} (this front's data directory, the
 * single-machine default) or {@link SharedTasks} (Redis, shared by several fronts, with {@code --store}).
 */
public interface AsyncTasks {
    /**
     * Stores the upload as a new async task and queues it. The future completes once the task is stored (the 202
     * may go out), or fails with a {@link io.graypipe.front.error.FrontException} saying why not. {@code upload}
     * is released in every case.
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
}
