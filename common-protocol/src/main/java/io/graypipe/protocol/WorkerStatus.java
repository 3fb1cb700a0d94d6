package io.graypipe.protocol;

import java.util.List;

/**
 * The worker's pool at one moment, the answer to a {@link StatusRequest} with the same nonce. The counters only
 * grow while the worker runs; a front turns them into metrics.
 *
 * @param configured children (or threads) the pool is meant to have
 * @param alive      children that are up and have said HELLO
 * @param busy       children holding a request right now
 * @param queued     requests waiting in the worker for a free child
 * @param restarts   children replaced since the worker started
 * @param threads    threads of the worker's in-process pool (requests with mode THREADS run there); 0 if none
 * @param threadsBusy threads of that pool holding a request now
 * @param children   one entry per slot of the child pool, in slot order
 */
public record WorkerStatus(long nonce, int configured, int alive, int busy, int queued, long restarts,
                           int threads, int threadsBusy, List<Child> children) implements Message {
    public WorkerStatus {
        if (configured < 0 || alive < 0 || busy < 0 || queued < 0 || restarts < 0 || threads < 0
                || threadsBusy < 0) {
            throw new IllegalArgumentException("status counts must not be negative");
        }
        children = List.copyOf(children);
    }

    /**
     * One slot of the pool.
     *
     * @param alive    whether the slot's child is up
     * @param busy     whether it holds a request
     * @param requests requests this slot answered, across all the children that have filled it
     * @param restarts times this slot's child was replaced
     */
    public record Child(boolean alive, boolean busy, long requests, long restarts) {
        public Child {
            if (requests < 0 || restarts < 0) {
                throw new IllegalArgumentException("child counters must not be negative");
            }
        }
    }
}
