package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The blocking-stream adapter over {@link MessageCodec}, for child processes that talk over stdin/stdout.
 * Not thread-safe: one reader per input stream, and writers serialise on the output stream themselves.
 */
public final class FrameStreams {
    private FrameStreams() {
    }

    /**
     * Reads one message. Returns null when the stream ends cleanly between frames; a stream that ends inside
     * a frame, or a frame over {@code maxFrameBytes}, is a {@link ProtocolException}.
     */
    public static Message read(InputStream in, int maxFrameBytes) throws IOException {
        DataInputStream data = in instanceof DataInputStream d ? d : new DataInputStream(in);
        int first = data.read();
        if (first < 0) {
            return null;
        }
        byte[] rest = new byte[MessageCodec.LENGTH_FIELD_BYTES - 1];
        readFully(data, rest, "length");
        int length = (first << 24) | ((rest[0] & 0xff) << 16) | ((rest[1] & 0xff) << 8) | (rest[2] & 0xff);
        if (length < 1 || length > maxFrameBytes) {
            throw new ProtocolException(length < 1 ? ErrorCode.MALFORMED : ErrorCode.FRAME_TOO_LARGE,
                    "frame length " + Integer.toUnsignedString(length) + " outside 1.." + maxFrameBytes);
        }
        int type = data.read();
        if (type < 0) {
            throw new ProtocolException(ErrorCode.TRUNCATED, "stream ended inside the type byte");
        }
        if (MessageCodec.payloadLengthFirst(MessageType.fromCode((byte) type)) && length - 1 >= 4) {
            // Read the image straight into the array it will live in, rather than into a frame and copy it out.
            byte[] lengthField = new byte[4];
            readFully(data, lengthField, "payload length");
            int payloadLength = ByteBuffer.wrap(lengthField).getInt();
            int headerBytes = length - 1 - 4 - payloadLength;
            if (payloadLength < 0 || headerBytes < 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "payload length "
                        + Integer.toUnsignedString(payloadLength) + " does not fit the frame length " + length);
            }
            byte[] head = new byte[1 + 4 + headerBytes];
            head[0] = (byte) type;
            System.arraycopy(lengthField, 0, head, 1, 4);
            readFully(data, head, 5, headerBytes, "frame header");
            byte[] payload = new byte[payloadLength];
            readFully(data, payload, 0, payloadLength, "payload");
            return MessageCodec.decode(Unpooled.wrappedBuffer(head), payload);
        }
        byte[] frame = new byte[length];
        frame[0] = (byte) type;
        readFully(data, frame, 1, length - 1, "frame");
        return MessageCodec.decode(Unpooled.wrappedBuffer(frame));
    }

    /** Writes one message as a whole frame and flushes. */
    public static void write(OutputStream out, Message message) throws IOException {
        ByteBuf header = Unpooled.buffer(64);
        MessageCodec.encodeHeader(message, header);
        out.write(header.array(), header.arrayOffset() + header.readerIndex(), header.readableBytes());
        byte[] payload = MessageCodec.payload(message);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    private static void readFully(DataInputStream in, byte[] into, String what) throws IOException {
        readFully(in, into, 0, into.length, what);
    }

    private static void readFully(DataInputStream in, byte[] into, int offset, int length, String what)
            throws IOException {
        try {
            in.readFully(into, offset, length);
        } catch (EOFException e) {
            throw new ProtocolException(ErrorCode.TRUNCATED, "stream ended inside " + what);
        }
    }
}
