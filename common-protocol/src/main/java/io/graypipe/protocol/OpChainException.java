package io.graypipe.protocol;

/**
 * A filter chain that cannot run: its message names the bad part and the valid choices, written for the user
 * who typed the chain (the front answers it as 400 {@code bad_parameter}).
 */
public final class OpChainException extends IllegalArgumentException {
    public OpChainException(String message) {
        super(message);
    }
}
