package io.graypipe.front.store.redis;

import io.graypipe.front.task.TaskRecord;

/**
 * A task as Redis holds it: the same record the data directory keeps, and the batch it belongs to.
 *
 * @param batchId the batch's id, or null when the task is in none
 */
public record StoredTask(TaskRecord record, String batchId) {
}
