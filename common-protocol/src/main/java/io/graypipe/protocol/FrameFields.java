package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reading a frame's fields safely, for every message family's codec: each length is checked against what is left
 * of the frame before anything is allocated, and a body that ends early is {@code TRUNCATED} (PROTOCOL.md,
 * "Conventions").
 */
final class FrameFields {
    private FrameFields() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static boolean printableAscii(byte[] text) {
        for (byte b : text) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static long readLong(ByteBuf frame, String what) {
        need(frame, 8, what);
        return frame.readLong();
    }

    /** The payload: the separately read array when there is one, else the frame's remaining bytes. */
    static byte[] readPayload(ByteBuf frame, int length, String what, byte[] payload) {
        if (payload == null) {
            return readBytes(frame, length, what);
        }
        if (length != payload.length) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " length " + length + " does not match the "
                    + payload.length + " bytes that follow");
        }
        return payload;
    }

    static byte[] readBytes(ByteBuf frame, int length, String what) {
        if (length < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " length is negative");
        }
        need(frame, length, what);
        byte[] bytes = new byte[length];
        frame.readBytes(bytes);
        return bytes;
    }

    static void need(ByteBuf frame, int bytes, String what) {
        if (frame.readableBytes() < bytes) {
            throw new ProtocolException(ErrorCode.TRUNCATED, String.format(
                    "frame ends inside %s: needs %d bytes, %d left", what, bytes, frame.readableBytes()));
        }
    }
}
