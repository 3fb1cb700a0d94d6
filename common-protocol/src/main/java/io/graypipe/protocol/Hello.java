package io.graypipe.protocol;

import java.util.Arrays;

/**
 * The first message on every connection, from both sides. It says who the sender is, which optional features it
 * offers, and carries the sender's fresh nonce for the {@link Auth} proofs that follow (see {@link Handshake}).
 * A child announces itself with one too, on its stdout; children prove nothing, since pipes are private.
 *
 * @param version  protocol version of the sender
 * @param role     what the sender is
 * @param features bit set of {@code FEATURE_*} the sender offers
 * @param nonce    {@link #NONCE_BYTES} fresh random bytes
 * @param hostId   which machine the sender runs on (see {@link #FEATURE_SHARED_MEMORY}); empty when it offers none
 */
public record Hello(int version, Role role, int features, byte[] nonce, String hostId) implements Message {
    public static final int NONCE_BYTES = 32;
    public static final int MAX_HOST_ID_BYTES = 255;
    /** The sender can put rasters in, or read them from, shared-memory regions on host {@link #hostId}. */
    public static final int FEATURE_SHARED_MEMORY = 0x1;
    /** A worker that sets it encodes {@link OutputFormat#WEBP} (it loaded libwebp). */
    public static final int FEATURE_ENCODE_WEBP = 0x2;
    /** A worker that sets it encodes {@link OutputFormat#AVIF} (it loaded libavif). */
    public static final int FEATURE_ENCODE_AVIF = 0x4;
    /** Every feature bit this version defines; any other bit is malformed. */
    public static final int KNOWN_FEATURES = FEATURE_SHARED_MEMORY | FEATURE_ENCODE_WEBP | FEATURE_ENCODE_AVIF;

    /** Who sent a HELLO. Values are part of the wire format. */
    public enum Role {
        FRONT(1), WORKER(2), CHILD(3);

        private final byte code;

        Role(int code) {
            this.code = (byte) code;
        }

        public byte code() {
            return code;
        }

        public static Role fromCode(byte code) {
            for (Role role : values()) {
                if (role.code == code) {
                    return role;
                }
            }
            throw new ProtocolException(ErrorCode.MALFORMED, "unknown HELLO role " + (code & 0xff));
        }
    }

    public Hello {
        if (version < 0 || version > 0xffff) {
            throw new IllegalArgumentException("version out of range: " + version);
        }
        if (role == null) {
            throw new IllegalArgumentException("role is required");
        }
        if ((features & ~KNOWN_FEATURES) != 0) {
            throw new IllegalArgumentException("unknown feature bits " + Integer.toHexString(features));
        }
        if (nonce == null || nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
        }
        if (hostId == null) {
            hostId = "";
        }
        if (FrameFields.utf8(hostId).length > MAX_HOST_ID_BYTES) {
            throw new IllegalArgumentException("host id longer than " + MAX_HOST_ID_BYTES + " bytes");
        }
    }

    /** A HELLO of this protocol version with a fresh nonce. */
    public static Hello current(Role role, int features, String hostId) {
        return new Hello(MessageCodec.VERSION, role, features, Handshake.newNonce(), hostId);
    }

    /**
     * The HELLO every child sends when it is ready: always the same bytes (no features, an all-zero nonce, no host),
     * so that a worker can find it in a stdout that the JVM may have printed on first.
     */
    public static Hello child() {
        return new Hello(MessageCodec.VERSION, Role.CHILD, 0, new byte[NONCE_BYTES], "");
    }

    /** Whether both HELLOs offer shared memory and name the same, non-empty host. */
    public boolean sharesMemoryWith(Hello other) {
        return (features & other.features & FEATURE_SHARED_MEMORY) != 0 && !hostId.isEmpty()
                && hostId.equals(other.hostId);
    }

    /** The feature bit that says a worker encodes {@code format}; 0 for the formats every worker encodes. */
    public static int encodeFeature(OutputFormat format) {
        return switch (format) {
            case JPEG, PNG -> 0;
            case WEBP -> FEATURE_ENCODE_WEBP;
            case AVIF -> FEATURE_ENCODE_AVIF;
        };
    }

    /** Whether the sender (a worker) encodes {@code format}. */
    public boolean encodes(OutputFormat format) {
        return (features & encodeFeature(format)) == encodeFeature(format);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && version == h.version && role == h.role && features == h.features
                && Arrays.equals(nonce, h.nonce) && hostId.equals(h.hostId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nonce) * 31 + hostId.hashCode();
    }

    @Override
    public String toString() {
        return "Hello[version=" + version + ", role=" + role + ", features=" + features + ", hostId=" + hostId + "]";
    }
}
