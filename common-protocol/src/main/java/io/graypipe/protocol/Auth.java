package io.graypipe.protocol;

import java.util.Arrays;

/**
 * The proof that follows the two HELLOs: an HMAC-SHA256, keyed with the shared secret, over both HELLOs (see
 * {@link Handshake#proof}). The front sends its proof first; the worker answers with its own only if the front's
 * was right, so neither side ever sends the secret, and a recorded handshake is worthless on a new connection,
 * whose worker nonce is new.
 */
public record Auth(byte[] mac) implements Message {
    public static final int MAC_BYTES = 32;

    public Auth {
        if (mac == null || mac.length != MAC_BYTES) {
            throw new IllegalArgumentException("mac must be " + MAC_BYTES + " bytes");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Auth a && Arrays.equals(mac, a.mac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mac);
    }

    @Override
    public String toString() {
        return "Auth[…]";
    }
}
