package io.graypipe.protocol;

/** Liveness probe; the peer answers with a {@link Pong} carrying the same nonce. */
public record Ping(long nonce) implements Message {
}
