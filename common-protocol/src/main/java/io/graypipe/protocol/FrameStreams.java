package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

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
        byte[] frame = new byte[length];
        readFully(data, frame, "frame");
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
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new ProtocolException(ErrorCode.TRUNCATED, "stream ended inside " + what);
        }
    }
}
