package io.graypipe.front.store.redis;

import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.TaskRecord;

/**
 * A task as Redis holds it: the same record the data directory keeps, the batch it belongs to, and its owner.
 *
 * @param batchId the batch's id, or null when the task is in none
 * @param owner   the client that created it, whose share of the service it runs in on any front
 */
public record StoredTask(TaskRecord record, String batchId, ClientId owner) {
}
