package io.graypipe.protocol;

/**
 * The first message on every connection. The connecting side sends its protocol version and the shared token;
 * the accepting side answers with its own version and an empty token, or with an {@link ErrorMessage} and a close.
 */
public record Hello(int version, byte[] token) implements Message {
    public Hello {
        if (version < 0 || version > 0xffff) {
            throw new IllegalArgumentException("version out of range: " + version);
        }
        if (token == null) {
            token = new byte[0];
        }
        if (token.length > MessageCodec.MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("token longer than " + MessageCodec.MAX_TOKEN_BYTES + " bytes");
        }
    }

    public static Hello current(byte[] token) {
        return new Hello(MessageCodec.VERSION, token);
    }
}
