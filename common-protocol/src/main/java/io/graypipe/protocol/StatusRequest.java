package io.graypipe.protocol;

/** Asks the worker for a {@link WorkerStatus}; the answer carries the same nonce, so a front can match it. */
public record StatusRequest(long nonce) implements Message {
}
