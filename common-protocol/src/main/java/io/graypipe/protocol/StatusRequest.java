package io.graypipe.protocol;

/** Asks the worker for a {@link WorkerStatus}. Sent by a front after the handshake; it has no body. */
public record StatusRequest() implements Message {
}
