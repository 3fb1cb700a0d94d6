package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The one codec for every message. A frame is a 4-byte big-endian length, then a type byte, then the body;
 * the length counts the type byte and the body. {@link #encode} writes a whole frame, {@link #decode} reads
 * one frame whose length prefix has already been removed. PROTOCOL.md documents every layout, and each message
 * family's body is written and read in one place: {@link HandshakeCodec} (HELLO, AUTH), {@link ScaleCodec}
 * (SCALE_REQUEST, SCALE_RESULT) and {@link ControlCodec} (ERROR, PING, PONG, STATUS_REQUEST, STATUS); this class
 * frames them and dispatches on the type.
 *
 * <p>The two messages that carry image bytes (SCALE_REQUEST and SCALE_RESULT) put the payload's length first
 * and the payload last, so a stream reader learns where the payload starts from the first field and can read it
 * straight into its own array ({@link #payloadLengthFirst}).
 */
public final class MessageCodec {
    public static final int VERSION = 3;
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Largest frame accepted by default: room for a 100-megapixel gray+alpha raster plus headers. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
    public static final int MAX_ERROR_MESSAGE_BYTES = 4096;
    /** Most slots a STATUS may list; far above any sensible pool, low enough to bound a hostile frame. */
    public static final int MAX_STATUS_CHILDREN = 4096;

    private MessageCodec() {
    }

    /** Size of the whole frame for {@code message}, length prefix included. */
    public static int frameSize(Message message) {
        return LENGTH_FIELD_BYTES + 1 + bodySize(message);
    }

    private static int bodySize(Message message) {
        if (message instanceof Hello hello) {
            return HandshakeCodec.helloSize(hello);
        } else if (message instanceof Auth) {
            return Auth.MAC_BYTES;
        } else if (message instanceof ScaleRequest request) {
            return ScaleCodec.requestSize(request);
        } else if (message instanceof ScaleResult result) {
            return ScaleCodec.resultSize(result);
        }
        return ControlCodec.size(message);
    }

    /** Writes {@code message} as one whole frame. */
    public static void encode(Message message, ByteBuf out) {
        out.ensureWritable(frameSize(message));
        encodeHeader(message, out);
        byte[] payload = payload(message);
        if (payload != null) {
            out.writeBytes(payload);
        }
    }

    /**
     * Writes the frame up to, not including, its {@link #payload}: a writer that can send the payload array as it
     * is (a stream, a gathering write) then sends it and so never copies the image into a frame buffer.
     */
    public static void encodeHeader(Message message, ByteBuf out) {
        out.ensureWritable(frameSize(message) - payloadLength(message));
        out.writeInt(1 + bodySize(message));
        if (message instanceof Hello hello) {
            HandshakeCodec.writeHello(hello, out);
        } else if (message instanceof Auth auth) {
            HandshakeCodec.writeAuth(auth, out);
        } else if (message instanceof ScaleRequest request) {
            ScaleCodec.writeRequestHead(request, payloadLength(message), out);
        } else if (message instanceof ScaleResult result) {
            ScaleCodec.writeResultHead(result, out);
        } else {
            ControlCodec.write(message, out);
        }
    }

    /** The image bytes that end a SCALE_REQUEST (inline pixels) or SCALE_RESULT frame; null for every other. */
    public static byte[] payload(Message message) {
        if (message instanceof ScaleRequest request) {
            return request.image().data();
        }
        if (message instanceof ScaleResult result) {
            return result.data();
        }
        return null;
    }

    private static int payloadLength(Message message) {
        byte[] payload = payload(message);
        return payload == null ? 0 : payload.length;
    }

    /** Whether frames of {@code type} start with the length of a payload that ends them. */
    public static boolean payloadLengthFirst(MessageType type) {
        return type == MessageType.SCALE_REQUEST || type == MessageType.SCALE_RESULT;
    }

    /**
     * Decodes one frame: the type byte and the body, without the length prefix. The whole buffer must be
     * consumed by the body; anything short or left over is a protocol error.
     */
    public static Message decode(ByteBuf frame) {
        return decode(frame, null);
    }

    /**
     * Decodes a frame whose payload was read separately: {@code head} holds the type byte and every field before
     * the payload, and {@code payload} must be exactly as long as the frame's payload length field says.
     */
    public static Message decode(ByteBuf head, byte[] payload) {
        ByteBuf frame = head;
        if (!frame.isReadable()) {
            // The stream adapter refuses a zero length before reading on; say the same here.
            throw new ProtocolException(ErrorCode.MALFORMED, "frame length 0 outside 1..the maximum frame size");
        }
        MessageType type = MessageType.fromCode(frame.readByte());
        Message message = switch (type) {
            case HELLO -> HandshakeCodec.readHello(frame);
            case AUTH -> HandshakeCodec.readAuth(frame);
            case SCALE_REQUEST -> ScaleCodec.readRequest(frame, payload);
            case SCALE_RESULT -> ScaleCodec.readResult(frame, payload);
            case ERROR -> ControlCodec.readError(frame);
            case PING -> new Ping(FrameFields.readLong(frame, "nonce"));
            case PONG -> new Pong(FrameFields.readLong(frame, "nonce"));
            case STATUS_REQUEST -> new StatusRequest(FrameFields.readLong(frame, "nonce"));
            case STATUS -> ControlCodec.readStatus(frame);
        };
        if (frame.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    frame.readableBytes() + " unexpected trailing bytes after " + type);
        }
        return message;
    }
}
