package io.graypipe.protocol;

/**
 * The worker's answer to a {@link StatusRequest}: a snapshot of its scaling pool, for readiness and metrics.
 *
 * @param configured children (or threads) the pool is meant to have
 * @param alive      of those, how many are up and able to take work
 * @param busy       of the alive ones, how many are working on a request
 * @param queued     requests waiting for a free child
 * @param restarts   children replaced since the worker started
 */
public record WorkerStatus(int configured, int alive, int busy, int queued, long restarts) implements Message {
    public WorkerStatus {
        if (configured < 0 || alive < 0 || busy < 0 || queued < 0 || restarts < 0) {
            throw new IllegalArgumentException("status counts must not be negative");
        }
    }
}
