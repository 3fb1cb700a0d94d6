package io.graypipe.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fresh SHA-256 digests, cloned from one made at class load. {@code MessageDigest.getInstance} looks the algorithm
 * up among the security providers and instantiates it reflectively on every call, which was most of the cost of
 * hashing an API key or a task id's owner tag per request ({@code scripts/bench --profile}, keys-on-jpeg320-c4);
 * a clone only copies the digest's few words of state.
 */
public final class Sha256 {
    /** Never updated: only cloned, which reads it, so every thread may share it. */
    private static final MessageDigest PROTOTYPE = prototype();

    private Sha256() {
    }

    /** A new SHA-256 digest, ready for input; the caller owns it. */
    public static MessageDigest digest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
