package io.graypipe.front.store.redis;

import io.graypipe.front.task.TaskStatus;

import java.time.Instant;
import java.util.List;

/**
 * A batch as Redis holds it, read in one command, so its items are one consistent snapshot.
 *
 * @param finishedAt when its last task finished, or null while some still run
 * @param items      one per file, in upload order (the order they joined, for an open batch)
 * @param open       whether tasks may still join it ({@code POST /batches} until its close)
 */
public record StoredBatch(String id, Instant createdAt, Instant finishedAt, List<Item> items, boolean open) {
    /**
     * One file of the batch.
     *
     * @param task the task's latest status; it stays after the task itself is deleted
     */
    public record Item(String filename, String taskId, TaskStatus task) {
    }
}
