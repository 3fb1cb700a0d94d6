package io.graypipe.front.task;

/** The data of a batch's {@code task} event: the task that changed, and the batch's figures after the change. */
public record BatchChange(TaskStatus task, Batch.BatchStatus batch) {
}
