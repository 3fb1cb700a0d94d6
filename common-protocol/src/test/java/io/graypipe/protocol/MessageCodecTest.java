package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest {

    static ScaleRequest sampleRequest() {
        byte[] pixels = new byte[6 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 10);
        }
        return new ScaleRequest(42, 0.5, OutputFormat.JPEG, 85, 30_000,
                new ImageData(PixelFormat.GRAY8, 6, 4, pixels));
    }

    static List<Message> samples() {
        return List.of(
                Hello.current("secret".getBytes(StandardCharsets.UTF_8)),
                sampleRequest(),
                new ScaleRequest(7, 1.0, OutputFormat.PNG, 1, 1, new ImageData(PixelFormat.GRAY_ALPHA8, 1, 1, new byte[]{1, 2})),
                new ScaleRequest(8, 0.25, OutputFormat.PNG, 100, 5, new ImageData(PixelFormat.ENCODED, 3, 3, new byte[]{9, 9, 9})),
                new ScaleResult(42, OutputFormat.PNG, 3, 2, new byte[]{1, 2, 3, 4, 5}),
                new ErrorMessage(42, ErrorCode.CHILD_CRASHED, "child died twice — ñ"),
                new ErrorMessage(ErrorMessage.CONNECTION, ErrorCode.UNAUTHORIZED, ""),
                new Ping(-1L),
                new Pong(Long.MAX_VALUE));
    }

    /** Encodes, strips the length as the framer does, decodes. */
    static Message roundTrip(Message message) {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(message, buf);
        assertEquals(MessageCodec.frameSize(message), buf.readableBytes(), "frameSize matches what encode writes");
        int length = buf.readInt();
        assertEquals(buf.readableBytes(), length, "length prefix counts type byte and body");
        return MessageCodec.decode(buf);
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        for (Message message : samples()) {
            assertSameMessage(message, roundTrip(message));
        }
    }

    @Test
    void streamAdapterReadsWhatItWrites() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Message message : samples()) {
            FrameStreams.write(out, message);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        for (Message message : samples()) {
            assertSameMessage(message, FrameStreams.read(in, MessageCodec.DEFAULT_MAX_FRAME_BYTES));
        }
        assertNull(FrameStreams.read(in, MessageCodec.DEFAULT_MAX_FRAME_BYTES), "clean EOF between frames");
    }

    @Test
    void scaleRequestLayoutMatchesTheSpec() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(sampleRequest(), buf);
        assertEquals(1 + 35 + 24, buf.readInt());
        assertEquals(0x10, buf.readByte());
        assertEquals(42, buf.readLong());
        assertEquals(0.5, buf.readDouble());
        assertEquals(1, buf.readByte(), "JPEG");
        assertEquals(85, buf.readUnsignedByte());
        assertEquals(30_000, buf.readInt());
        assertEquals(1, buf.readByte(), "GRAY8");
        assertEquals(6, buf.readInt());
        assertEquals(4, buf.readInt());
        assertEquals(24, buf.readInt());
        assertEquals(24, buf.readableBytes());
    }

    @Test
    void unknownTypeIsAProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(Unpooled.wrappedBuffer(new byte[]{0x7e, 0, 0})));
        assertEquals(ErrorCode.UNKNOWN_TYPE, e.code());
    }

    @Test
    void everyTruncationOfEveryMessageIsAProtocolError() {
        for (Message message : samples()) {
            ByteBuf buf = Unpooled.buffer();
            MessageCodec.encode(message, buf);
            buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
            byte[] frame = new byte[buf.readableBytes()];
            buf.readBytes(frame);
            for (int cut = 0; cut < frame.length; cut++) {
                ByteBuf shortened = Unpooled.wrappedBuffer(frame, 0, cut);
                ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(shortened),
                        message.getClass().getSimpleName() + " cut at " + cut);
                assertTrue(e.code() == ErrorCode.TRUNCATED || e.code() == ErrorCode.MALFORMED, e.code().toString());
            }
        }
    }

    @Test
    void trailingBytesAreAProtocolError() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(new Ping(1), buf);
        buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        buf.writeByte(0);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(buf)).code());
    }

    @Test
    void pixelCountMustMatchDimensions() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(sampleRequest(), buf);
        buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        buf.setInt(1 + 8 + 8 + 1 + 1 + 4 + 1, 7); // width 7 no longer matches 24 bytes of GRAY8 at height 4
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(buf)).code());
    }

    @Test
    void invalidFactorOrFormatIsMalformed() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(sampleRequest(), buf);
        buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        ByteBuf badFactor = buf.copy();
        badFactor.setDouble(1 + 8, Double.NaN);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(badFactor)).code());
        ByteBuf badFormat = buf.copy();
        badFormat.setByte(1 + 8 + 8, 9);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(badFormat)).code());
    }

    @Test
    void streamRejectsOversizedAndTruncatedFrames() {
        byte[] huge = {0x7f, 0, 0, 0, 0x30};
        ProtocolException tooLarge = assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(huge), 1024));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, tooLarge.code());

        byte[] cut = {0, 0, 0, 9, 0x30, 1, 2};
        ProtocolException truncated = assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(cut), 1024));
        assertEquals(ErrorCode.TRUNCATED, truncated.code());

        byte[] zero = {0, 0, 0, 0};
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(zero), 1024)).code());
    }

    @Test
    void streamRejectsAPayloadLengthThatDisagreesWithTheFrame() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameStreams.write(out, sampleRequest());
        byte[] frame = out.toByteArray();
        java.nio.ByteBuffer.wrap(frame).putInt(frame.length - 4 + 1); // one byte more than the data length says
        byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 1);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(longer), MessageCodec.DEFAULT_MAX_FRAME_BYTES));
        assertEquals(ErrorCode.MALFORMED, e.code());

        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 5);
        java.nio.ByteBuffer.wrap(cut).putInt(frame.length - 4);
        assertEquals(ErrorCode.TRUNCATED, assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(cut), MessageCodec.DEFAULT_MAX_FRAME_BYTES)).code());
    }

    @Test
    void longErrorTextIsCutOnACharacterBoundary() {
        String text = "é".repeat(MessageCodec.MAX_ERROR_MESSAGE_BYTES);
        ErrorMessage decoded = (ErrorMessage) roundTrip(new ErrorMessage(1, ErrorCode.INTERNAL, text));
        assertTrue(decoded.message().length() <= MessageCodec.MAX_ERROR_MESSAGE_BYTES / 2);
        assertTrue(decoded.message().chars().allMatch(c -> c == 'é'));
    }

    static void assertSameMessage(Message expected, Message actual) {
        assertEquals(expected.getClass(), actual.getClass());
        if (expected instanceof Hello e && actual instanceof Hello a) {
            assertEquals(e.version(), a.version());
            assertArrayEquals(e.token(), a.token());
        } else if (expected instanceof ScaleRequest e && actual instanceof ScaleRequest a) {
            assertEquals(e.requestId(), a.requestId());
            assertEquals(e.factor(), a.factor());
            assertEquals(e.format(), a.format());
            assertEquals(e.quality(), a.quality());
            assertEquals(e.timeoutMillis(), a.timeoutMillis());
            assertEquals(e.image().format(), a.image().format());
            assertEquals(e.image().width(), a.image().width());
            assertEquals(e.image().height(), a.image().height());
            assertArrayEquals(e.image().data(), a.image().data());
        } else if (expected instanceof ScaleResult e && actual instanceof ScaleResult a) {
            assertEquals(e.requestId(), a.requestId());
            assertEquals(e.format(), a.format());
            assertEquals(e.width(), a.width());
            assertEquals(e.height(), a.height());
            assertArrayEquals(e.data(), a.data());
        } else {
            assertEquals(expected, actual);
        }
    }
}
