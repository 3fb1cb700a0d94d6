package io.graypipe.front.pipeline;

import io.graypipe.front.task.Task;

import java.util.concurrent.CompletableFuture;

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
}
