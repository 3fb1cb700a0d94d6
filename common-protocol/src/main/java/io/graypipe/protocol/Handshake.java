package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The challenge and response of protocol version 2 (PROTOCOL.md, "Handshake"). Each side proves that it knows the
 * shared secret by an HMAC-SHA256 over both HELLO bodies, so the proof binds both fresh nonces, both feature sets
 * and both host ids: changing any of them in flight, or replaying an old handshake, makes the proof wrong.
 */
public final class Handshake {
    /**
     * A DRBG, seeded once when this class initialises: after that it makes nonces without reading the system's
     * entropy source, so {@link #newNonce} never does I/O on an event loop. Peers call {@link #seed} at start, on
     * their main thread, so the seeding read happens there.
     */
    private static final SecureRandom RANDOM = drbg();
    private static final String ALGORITHM = "HmacSHA256";

    private Handshake() {
    }

    private static SecureRandom drbg() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextBytes(new byte[1]);
            return random;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JDK", e);
        }
    }

    /** Initialises the nonce generator now, on the caller's thread, rather than on the first connection's. */
    public static void seed() {
        RANDOM.nextBytes(new byte[1]);
    }

    public static byte[] newNonce() {
        byte[] nonce = new byte[Hello.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /**
     * The proof that {@code prover} knows {@code secret}: HMAC-SHA256(secret, label ‖ front HELLO body ‖ worker
     * HELLO body), where label is {@code "graypipe/3 front\0"} or {@code "graypipe/3 worker\0"} (the version is {@link MessageCodec#VERSION}).
     */
    public static Auth proof(byte[] secret, Hello.Role prover, Hello front, Hello worker) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the shared secret is empty");
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            mac.update(("graypipe/" + MessageCodec.VERSION + " " + prover.name().toLowerCase() + "\0")
                    .getBytes(StandardCharsets.US_ASCII));
            mac.update(helloBody(front));
            mac.update(helloBody(worker));
            return new Auth(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Whether {@code auth} is {@code prover}'s proof for these HELLOs; compared in constant time. */
    public static boolean verify(byte[] secret, Hello.Role prover, Hello front, Hello worker, Auth auth) {
        return MessageDigest.isEqual(proof(secret, prover, front, worker).mac(), auth.mac());
    }

    private static byte[] helloBody(Hello hello) {
        ByteBuf frame = Unpooled.buffer(MessageCodec.frameSize(hello));
        MessageCodec.encode(hello, frame);
        frame.skipBytes(MessageCodec.LENGTH_FIELD_BYTES + 1);
        byte[] body = new byte[frame.readableBytes()];
        frame.readBytes(body);
        return body;
    }
}
