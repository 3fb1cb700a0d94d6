package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one codec for every message. A frame is a 4-byte big-endian length, then a type byte, then the body;
 * the length counts the type byte and the body. {@link #encode} writes a whole frame, {@link #decode} reads
 * one frame whose length prefix has already been removed. PROTOCOL.md documents every layout written here.
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
    private static final int LOCATION_INLINE = 1;
    private static final int LOCATION_SHARED = 2;
    private static final int HELLO_FIXED_BYTES = 2 + 1 + 4 + Hello.NONCE_BYTES + 1;
    private static final int OP_FIXED_BYTES = 1 + 8 + 8 + 1;
    private static final int SCALE_REQUEST_FIXED_BYTES = 4 + 8 + 4 + 4 + 1 + 1 + 1 + 4 + 1 + 1 + 1 + 4 + 4 + 1;
    private static final int SCALE_RESULT_FIXED_BYTES = 4 + 8 + 1 + 1 + 4 + 4;
    private static final int STATUS_HEADER_BYTES = 8 + 4 + 4 + 4 + 4 + 8 + 4 + 4 + 4;
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
            return HELLO_FIXED_BYTES + utf8(hello.hostId()).length;
        } else if (message instanceof Auth) {
            return Auth.MAC_BYTES;
        } else if (message instanceof ScaleRequest request) {
            int size = SCALE_REQUEST_FIXED_BYTES;
            for (Op op : request.ops()) {
                size += OP_FIXED_BYTES + op.text().length();
            }
            ImageData image = request.image();
            return size + (image.isShared() ? 1 + image.region().length() : image.data().length);
        } else if (message instanceof ScaleResult result) {
            return SCALE_RESULT_FIXED_BYTES + result.data().length;
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
            byte[] host = utf8(hello.hostId());
            out.writeByte(MessageType.HELLO.code());
            out.writeShort(hello.version());
            out.writeByte(hello.role().code());
            out.writeInt(hello.features());
            out.writeBytes(hello.nonce());
            out.writeByte(host.length);
            out.writeBytes(host);
        } else if (message instanceof Auth auth) {
            out.writeByte(MessageType.AUTH.code());
            out.writeBytes(auth.mac());
        } else if (message instanceof ScaleRequest request) {
            ImageData image = request.image();
            out.writeByte(MessageType.SCALE_REQUEST.code());
            out.writeInt(payloadLength(message));
            out.writeLong(request.requestId());
            out.writeInt(request.targetWidth());
            out.writeInt(request.targetHeight());
            out.writeByte(request.format().code());
            out.writeByte(request.quality());
            out.writeByte(request.encodeFlags());
            out.writeInt(request.timeoutMillis());
            out.writeByte(request.mode().code());
            out.writeByte(request.ops().size());
            for (Op op : request.ops()) {
                out.writeByte(op.kind().code());
                out.writeDouble(op.a());
                out.writeDouble(op.b());
                out.writeByte(op.text().length());
                out.writeBytes(op.text().getBytes(StandardCharsets.US_ASCII));
            }
            out.writeByte(image.format().code());
            out.writeInt(image.width());
            out.writeInt(image.height());
            if (image.isShared()) {
                out.writeByte(LOCATION_SHARED);
                out.writeByte(image.region().length());
                out.writeBytes(image.region().getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeByte(LOCATION_INLINE);
            }
        } else if (message instanceof ScaleResult result) {
            out.writeByte(MessageType.SCALE_RESULT.code());
            out.writeInt(result.data().length);
            out.writeLong(result.requestId());
            out.writeByte(result.format().code());
            out.writeByte(result.mode().code());
            out.writeInt(result.width());
            out.writeInt(result.height());
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
            out.writeInt(status.threads());
            out.writeInt(status.threadsBusy());
            out.writeInt(status.children().size());
            for (WorkerStatus.Child child : status.children()) {
                out.writeByte((child.alive() ? CHILD_ALIVE : 0) | (child.busy() ? CHILD_BUSY : 0));
                out.writeLong(child.requests());
                out.writeLong(child.restarts());
            }
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
            case HELLO -> decodeHello(frame);
            case AUTH -> new Auth(readBytes(frame, Auth.MAC_BYTES, "AUTH mac"));
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
        need(frame, HELLO_FIXED_BYTES, "HELLO");
        int version = frame.readUnsignedShort();
        if (version != VERSION) {
            // Later fields may be laid out differently in other versions: say so rather than misread them.
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "this peer speaks protocol version " + VERSION + ", not " + version);
        }
        Hello.Role role = Hello.Role.fromCode(frame.readByte());
        int features = frame.readInt();
        byte[] nonce = readBytes(frame, Hello.NONCE_BYTES, "HELLO nonce");
        int hostLength = frame.readUnsignedByte();
        String host = new String(readBytes(frame, hostLength, "HELLO host id"), StandardCharsets.UTF_8);
        try {
            return new Hello(version, role, features, nonce, host);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "HELLO: " + e.getMessage());
        }
    }

    private static ScaleRequest decodeScaleRequest(ByteBuf frame, byte[] payload) {
        need(frame, SCALE_REQUEST_FIXED_BYTES, "SCALE_REQUEST header");
        int dataLength = frame.readInt();
        long requestId = frame.readLong();
        int targetWidth = frame.readInt();
        int targetHeight = frame.readInt();
        OutputFormat format = OutputFormat.fromCode(frame.readByte());
        int quality = frame.readUnsignedByte();
        int encodeFlags = frame.readUnsignedByte();
        if ((encodeFlags & ~ScaleRequest.FLAG_LOSSLESS) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_REQUEST " + requestId + ": unknown encode flags "
                    + encodeFlags);
        }
        int timeoutMillis = frame.readInt();
        ExecutionMode mode = ExecutionMode.fromCode(frame.readByte());
        int opCount = frame.readUnsignedByte();
        if (opCount > ScaleRequest.MAX_OPS) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_REQUEST " + requestId + ": " + opCount
                    + " ops, at most " + ScaleRequest.MAX_OPS);
        }
        List<Op> ops = new ArrayList<>(opCount);
        for (int i = 0; i < opCount; i++) {
            need(frame, OP_FIXED_BYTES, "op " + i);
            OpKind kind = OpKind.fromCode(frame.readByte());
            double a = frame.readDouble();
            double b = frame.readDouble();
            int textLength = frame.readUnsignedByte();
            byte[] text = readBytes(frame, textLength, "op " + i + " text");
            if (!printableAscii(text)) {
                throw new ProtocolException(ErrorCode.MALFORMED, "op " + i + " text is not printable ASCII");
            }
            try {
                ops.add(new Op(kind, a, b, new String(text, StandardCharsets.US_ASCII)));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.MALFORMED, "op " + i + ": " + e.getMessage());
            }
        }
        need(frame, 1 + 4 + 4 + 1, "SCALE_REQUEST image header");
        PixelFormat pixelFormat = PixelFormat.fromCode(frame.readByte());
        int width = frame.readInt();
        int height = frame.readInt();
        int location = frame.readUnsignedByte();
        try {
            ImageData image;
            if (location == LOCATION_INLINE) {
                image = new ImageData(pixelFormat, width, height, readPayload(frame, dataLength, "pixel data", payload));
            } else if (location == LOCATION_SHARED) {
                if (dataLength != 0) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "a SHARED image carries no inline bytes");
                }
                need(frame, 1, "region name length");
                int nameLength = frame.readUnsignedByte();
                String region = new String(readBytes(frame, nameLength, "region name"), StandardCharsets.US_ASCII);
                image = ImageData.shared(pixelFormat, width, height, region);
                readPayload(frame, 0, "pixel data", payload);
            } else {
                throw new ProtocolException(ErrorCode.MALFORMED, "unknown pixel location " + location);
            }
            return new ScaleRequest(requestId, targetWidth, targetHeight, format, quality, timeoutMillis, mode, ops,
                    image, (encodeFlags & ScaleRequest.FLAG_LOSSLESS) != 0);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_REQUEST " + requestId + ": " + e.getMessage());
        }
    }

    private static ScaleResult decodeScaleResult(ByteBuf frame, byte[] payload) {
        need(frame, SCALE_RESULT_FIXED_BYTES, "SCALE_RESULT header");
        int dataLength = frame.readInt();
        long requestId = frame.readLong();
        OutputFormat format = OutputFormat.fromCode(frame.readByte());
        ExecutionMode mode = ExecutionMode.fromCode(frame.readByte());
        int width = frame.readInt();
        int height = frame.readInt();
        byte[] data = readPayload(frame, dataLength, "image data", payload);
        try {
            return new ScaleResult(requestId, format, mode, width, height, data);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "SCALE_RESULT " + requestId + ": " + e.getMessage());
        }
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
        long threads = frame.readUnsignedInt();
        long threadsBusy = frame.readUnsignedInt();
        long count = frame.readUnsignedInt();
        if (configured > Integer.MAX_VALUE || alive > Integer.MAX_VALUE || busy > Integer.MAX_VALUE
                || queued > Integer.MAX_VALUE || restarts < 0 || threads > Integer.MAX_VALUE
                || threadsBusy > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS counts out of range");
        }
        if (count > MAX_STATUS_CHILDREN) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS lists " + count + " children, over "
                    + MAX_STATUS_CHILDREN);
        }
        need(frame, (int) count * STATUS_CHILD_BYTES, "STATUS children");
        List<WorkerStatus.Child> children = new ArrayList<>((int) count);
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
        return new WorkerStatus(nonce, (int) configured, (int) alive, (int) busy, (int) queued, restarts,
                (int) threads, (int) threadsBusy, children);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean printableAscii(byte[] text) {
        for (byte b : text) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] errorText(ErrorMessage error) {
        byte[] text = utf8(error.message());
        if (text.length <= MAX_ERROR_MESSAGE_BYTES) {
            return text;
        }
        // Cut on a character boundary so the peer never sees a broken UTF-8 sequence.
        int end = MAX_ERROR_MESSAGE_BYTES;
        while (end > 0 && (text[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(text, end);
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
