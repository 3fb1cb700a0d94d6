package io.graypipe.protocol;

/** Answer to a {@link Ping}. */
public record Pong(long nonce) implements Message {
}
