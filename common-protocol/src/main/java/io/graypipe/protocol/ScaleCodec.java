package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.graypipe.protocol.FrameFields.need;
import static io.graypipe.protocol.FrameFields.printableAscii;
import static io.graypipe.protocol.FrameFields.readBytes;
import static io.graypipe.protocol.FrameFields.readPayload;

/**
 * The bodies of the messages that carry image bytes, SCALE_REQUEST (with its ops and its raster, inline or in a
 * shared-memory region) and SCALE_RESULT (PROTOCOL.md). Both start with the payload's length and end with the
 * payload, which {@link MessageCodec} writes or reads on its own; here is everything before it.
 */
final class ScaleCodec {
    private static final int LOCATION_INLINE = 1;
    private static final int LOCATION_SHARED = 2;
    private static final int OP_FIXED_BYTES = 1 + 8 + 8 + 1;
    private static final int REQUEST_FIXED_BYTES = 4 + 8 + 4 + 4 + 1 + 1 + 1 + 4 + 1 + 1 + 1 + 4 + 4 + 1;
    private static final int RESULT_FIXED_BYTES = 4 + 8 + 1 + 1 + 4 + 4;

    private ScaleCodec() {
    }

    static int requestSize(ScaleRequest request) {
        int size = REQUEST_FIXED_BYTES;
        for (Op op : request.ops()) {
            size += OP_FIXED_BYTES + op.text().length();
        }
        ImageData image = request.image();
        return size + (image.isShared() ? 1 + image.region().length() : image.data().length);
    }

    static int resultSize(ScaleResult result) {
        return RESULT_FIXED_BYTES + result.data().length;
    }

    /** Everything of a SCALE_REQUEST's body up to its inline pixels, which are {@code payloadLength} bytes. */
    static void writeRequestHead(ScaleRequest request, int payloadLength, ByteBuf out) {
        ImageData image = request.image();
        out.writeByte(MessageType.SCALE_REQUEST.code());
        out.writeInt(payloadLength);
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
    }

    /** Everything of a SCALE_RESULT's body up to its encoded image. */
    static void writeResultHead(ScaleResult result, ByteBuf out) {
        out.writeByte(MessageType.SCALE_RESULT.code());
        out.writeInt(result.data().length);
        out.writeLong(result.requestId());
        out.writeByte(result.format().code());
        out.writeByte(result.mode().code());
        out.writeInt(result.width());
        out.writeInt(result.height());
    }

    static ScaleRequest readRequest(ByteBuf frame, byte[] payload) {
        need(frame, REQUEST_FIXED_BYTES, "SCALE_REQUEST header");
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
        List<Op> ops = readOps(frame, requestId);
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

    private static List<Op> readOps(ByteBuf frame, long requestId) {
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
        return ops;
    }

    static ScaleResult readResult(ByteBuf frame, byte[] payload) {
        need(frame, RESULT_FIXED_BYTES, "SCALE_RESULT header");
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
}
