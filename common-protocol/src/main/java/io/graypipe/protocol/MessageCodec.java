package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The one codec for every message. A frame is a 4-byte big-endian length, then a type byte, then the body;
 * the length counts the type byte and the body. {@link #encode} writes a whole frame, {@link #decode} reads
 * one frame whose length prefix has already been removed. PROTOCOL.md documents every layout written here.
 */
public final class MessageCodec {
    public static final int VERSION = 1;
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Largest frame accepted by default: room for a 100-megapixel gray+alpha raster plus headers. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
    public static final int MAX_TOKEN_BYTES = 1024;
    public static final int MAX_ERROR_MESSAGE_BYTES = 4096;
    private static final int SCALE_REQUEST_HEADER_BYTES = 35;
    private static final int SCALE_RESULT_HEADER_BYTES = 21;
    /** Most slots a STATUS may list; far above any sensible pool, low enough to bound a hostile frame. */
    public static final int MAX_STATUS_CHILDREN = 4096;
    private static final int STATUS_HEADER_BYTES = 8 + 4 + 4 + 4 + 4 + 8 + 4;
    private static final int STATUS_CHILD_BYTES = 1 + 8 + 8;
    private static final int CHILD_ALIVE = 0x01;
    private static final int CHILD_BUSY = 0x02;

    private MessageCodec() {
    }

    /** Size of the whole frame for {@code message}, length prefix included. */
    public static int frameSize(Message message) {
        return LENGTH_FIELD_BYTES + 1 + bodySize(message);
    }

    private static int bodySize(Message message) {
        if (message instanceof Hello hello) {
            return 2 + 2 + hello.token().length;
        } else if (message instanceof ScaleRequest request) {
            return 8 + 8 + 1 + 1 + 4 + 1 + 4 + 4 + 4 + request.image().data().length;
        } else if (message instanceof ScaleResult result) {
            return 8 + 1 + 4 + 4 + 4 + result.data().length;
        } else if (message instanceof ErrorMessage error) {
            return 8 + 2 + 2 + errorText(error).length;
        } else if (message instanceof WorkerStatus status) {
            return STATUS_HEADER_BYTES + STATUS_CHILD_BYTES * status.children().size();
        } else {
            return 8; // Ping, Pong and StatusRequest: one nonce
        }
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
            out.writeByte(MessageType.HELLO.code());
            out.writeShort(hello.version());
            out.writeShort(hello.token().length);
            out.writeBytes(hello.token());
        } else if (message instanceof ScaleRequest request) {
            ImageData image = request.image();
            out.writeByte(MessageType.SCALE_REQUEST.code());
            out.writeLong(request.requestId());
            out.writeDouble(request.factor());
            out.writeByte(request.format().code());
            out.writeByte(request.quality());
            out.writeInt(request.timeoutMillis());
            out.writeByte(image.format().code());
            out.writeInt(image.width());
            out.writeInt(image.height());
            out.writeInt(image.data().length);
        } else if (message instanceof ScaleResult result) {
            out.writeByte(MessageType.SCALE_RESULT.code());
            out.writeLong(result.requestId());
            out.writeByte(result.format().code());
            out.writeInt(result.width());
            out.writeInt(result.height());
            out.writeInt(result.data().length);
        } else if (message instanceof ErrorMessage error) {
            byte[] text = errorText(error);
            out.writeByte(MessageType.ERROR.code());
            out.writeLong(error.requestId());
            out.writeShort(error.code().value());
            out.writeShort(text.length);
            out.writeBytes(text);
        } else if (message instanceof Ping ping) {
            out.writeByte(MessageType.PING.code());
            out.writeLong(ping.nonce());
        } else if (message instanceof Pong pong) {
            out.writeByte(MessageType.PONG.code());
            out.writeLong(pong.nonce());
        } else if (message instanceof StatusRequest request) {
            out.writeByte(MessageType.STATUS_REQUEST.code());
            out.writeLong(request.nonce());
        } else if (message instanceof WorkerStatus status) {
            out.writeByte(MessageType.STATUS.code());
            out.writeLong(status.nonce());
            out.writeInt(status.configured());
            out.writeInt(status.alive());
            out.writeInt(status.busy());
            out.writeInt(status.queued());
            out.writeLong(status.restarts());
            out.writeInt(status.children().size());
            for (WorkerStatus.Child child : status.children()) {
                out.writeByte((child.alive() ? CHILD_ALIVE : 0) | (child.busy() ? CHILD_BUSY : 0));
                out.writeLong(child.requests());
                out.writeLong(child.restarts());
            }
        }
    }

    /** The image bytes that end a SCALE_REQUEST or SCALE_RESULT frame; null for every other message. */
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

    /**
     * Decodes one frame: the type byte and the body, without the length prefix. The whole buffer must be
     * consumed by the body; anything short or left over is a protocol error.
     */
    public static Message decode(ByteBuf frame) {
        return decode(frame, null);
    }

    /**
     * Bytes of a SCALE_REQUEST or SCALE_RESULT body that come before its payload, so a stream reader can read
     * the payload straight into its own array; -1 for types without a payload.
     */
    public static int payloadHeaderBytes(MessageType type) {
        return switch (type) {
            case SCALE_REQUEST -> SCALE_REQUEST_HEADER_BYTES;
            case SCALE_RESULT -> SCALE_RESULT_HEADER_BYTES;
            default -> -1;
        };
    }

    /**
     * Decodes a frame whose payload was read separately: {@code head} holds the type byte and the fields before
     * the payload, and {@code payload} must be exactly as long as the frame's data length field says.
     */
    public static Message decode(ByteBuf head, byte[] payload) {
        ByteBuf frame = head;
        need(frame, 1, "type");
        MessageType type = MessageType.fromCode(frame.readByte());
        Message message = switch (type) {
            case HELLO -> decodeHello(frame);
            case SCALE_REQUEST -> decodeScaleRequest(frame, payload);
            case SCALE_RESULT -> decodeScaleResult(frame, payload);
            case ERROR -> decodeError(frame);
            case PING -> new Ping(readLong(frame, "nonce"));
            case PONG -> new Pong(readLong(frame, "nonce"));
            case STATUS_REQUEST -> new StatusRequest(readLong(frame, "nonce"));
            case STATUS -> decodeStatus(frame);
        };
        if (frame.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    frame.readableBytes() + " unexpected trailing bytes after " + type);
        }
        return message;
    }

    private static Hello decodeHello(ByteBuf frame) {
        need(frame, 4, "HELLO header");
        int version = frame.readUnsignedShort();
        int tokenLength = frame.readUnsignedShort();
        if (tokenLength > MAX_TOKEN_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED, "token length " + tokenLength + " over " + MAX_TOKEN_BYTES);
        }
        return new Hello(version, readBytes(frame, tokenLength, "token"));
    }

    private static ScaleRequest decodeScaleRequest(ByteBuf frame, byte[] payload) {
        need(frame, SCALE_REQUEST_HEADER_BYTES, "SCALE_REQUEST header");
        long requestId = frame.readLong();
        double factor = frame.readDouble();
        OutputFormat format = OutputFormat.fromCode(frame.readByte());
        int quality = frame.readUnsignedByte();
        int timeoutMillis = frame.readInt();
        PixelFormat pixelFormat = PixelFormat.fromCode(frame.readByte());
        int width = frame.readInt();
        int height = frame.readInt();
        int dataLength = frame.readInt();
        byte[] data = readPayload(frame, dataLength, "pixel data", payload);
        try {
            return new ScaleRequest(requestId, factor, format, quality, timeoutMillis,
                    new ImageData(pixelFormat, width, height, data));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_REQUEST " + requestId + ": " + e.getMessage());
        }
    }

    private static ScaleResult decodeScaleResult(ByteBuf frame, byte[] payload) {
        need(frame, SCALE_RESULT_HEADER_BYTES, "SCALE_RESULT header");
        long requestId = frame.readLong();
        OutputFormat format = OutputFormat.fromCode(frame.readByte());
        int width = frame.readInt();
        int height = frame.readInt();
        int dataLength = frame.readInt();
        if (width <= 0 || height <= 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_RESULT dimensions must be positive");
        }
        return new ScaleResult(requestId, format, width, height, readPayload(frame, dataLength, "image data", payload));
    }

    private static ErrorMessage decodeError(ByteBuf frame) {
        need(frame, 12, "ERROR header");
        long requestId = frame.readLong();
        ErrorCode code = ErrorCode.fromValue(frame.readUnsignedShort());
        int textLength = frame.readUnsignedShort();
        byte[] text = readBytes(frame, textLength, "error message");
        return new ErrorMessage(requestId, code, new String(text, StandardCharsets.UTF_8));
    }

    private static WorkerStatus decodeStatus(ByteBuf frame) {
        need(frame, STATUS_HEADER_BYTES, "STATUS header");
        long nonce = frame.readLong();
        long configured = frame.readUnsignedInt();
        long alive = frame.readUnsignedInt();
        long busy = frame.readUnsignedInt();
        long queued = frame.readUnsignedInt();
        long restarts = frame.readLong();
        long count = frame.readUnsignedInt();
        if (configured > Integer.MAX_VALUE || alive > Integer.MAX_VALUE || busy > Integer.MAX_VALUE
                || queued > Integer.MAX_VALUE || restarts < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS counts out of range");
        }
        if (count > MAX_STATUS_CHILDREN) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS lists " + count + " children, over "
                    + MAX_STATUS_CHILDREN);
        }
        need(frame, (int) count * STATUS_CHILD_BYTES, "STATUS children");
        java.util.List<WorkerStatus.Child> children = new java.util.ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int flags = frame.readUnsignedByte();
            if ((flags & ~(CHILD_ALIVE | CHILD_BUSY)) != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "STATUS child " + i + " has unknown flags " + flags);
            }
            long requests = frame.readLong();
            long childRestarts = frame.readLong();
            if (requests < 0 || childRestarts < 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "STATUS child " + i + " counters out of range");
            }
            children.add(new WorkerStatus.Child((flags & CHILD_ALIVE) != 0, (flags & CHILD_BUSY) != 0, requests,
                    childRestarts));
        }
        return new WorkerStatus(nonce, (int) configured, (int) alive, (int) busy, (int) queued, restarts, children);
    }

    private static byte[] errorText(ErrorMessage error) {
        byte[] text = error.message().getBytes(StandardCharsets.UTF_8);
        if (text.length <= MAX_ERROR_MESSAGE_BYTES) {
            return text;
        }
        // Cut on a character boundary so the peer never sees a broken UTF-8 sequence.
        int end = MAX_ERROR_MESSAGE_BYTES;
        while (end > 0 && (text[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(text, end);
    }

    private static long readLong(ByteBuf frame, String what) {
        need(frame, 8, what);
        return frame.readLong();
    }

    /** The payload: the separately read array when there is one, else the frame's remaining bytes. */
    private static byte[] readPayload(ByteBuf frame, int length, String what, byte[] payload) {
        if (payload == null) {
            return readBytes(frame, length, what);
        }
        if (length != payload.length) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " length " + length + " does not match the "
                    + payload.length + " bytes that follow");
        }
        return payload;
    }

    private static byte[] readBytes(ByteBuf frame, int length, String what) {
        if (length < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " length is negative");
        }
        need(frame, length, what);
        byte[] bytes = new byte[length];
        frame.readBytes(bytes);
        return bytes;
    }

    private static void need(ByteBuf frame, int bytes, String what) {
        if (frame.readableBytes() < bytes) {
            throw new ProtocolException(ErrorCode.TRUNCATED, String.format(
                    "frame ends inside %s: needs %d bytes, %d left", what, bytes, frame.readableBytes()));
        }
    }
}
