package io.graypipe.front.store.redis;

/**
 * One accepted async task waiting to be processed, as this front took it from the work queue.
 *
 * @param queue      the client queue (stream) the entry is in
 * @param entryId    the entry in that queue; pass the item to {@link RedisTasks#complete} or {@link RedisTasks#finish},
 *                   which acknowledge it in the same step as the result
 * @param deliveries how many times the entry has been handed to a front, this time included: 1 when read new, more
 *                   when claimed from fronts that stopped touching it (most likely dead)
 */
public record WorkItem(String queue, String entryId, String taskId, long deliveries) {
    /** Whether it was claimed from another front that stopped working on it. */
    public boolean claimed() {
        return deliveries > 1;
    }
}
