package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest {

    static ScaleRequest sampleRequest() {
        byte[] pixels = new byte[6 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 10);
        }
        return ScaleRequest.scale(42, 3, 2, OutputFormat.JPEG, 85, 30_000,
                new ImageData(PixelFormat.GRAY8, 6, 4, pixels));
    }

    static ScaleRequest requestWithOps() {
        return new ScaleRequest(9, 2, 1, OutputFormat.PNG, 100, 5, ExecutionMode.THREADS,
                List.of(new Op(OpKind.BLUR, 2.5, 0, ""), Op.of(OpKind.SEPIA), new Op(OpKind.WATERMARK, 0, 0, "graypipe, 2026"),
                        new Op(OpKind.RESIZE, 640, 480, "")),
                new ImageData(PixelFormat.GRAY8, 3, 3, new byte[9]));
    }

    private static final List<Message> SAMPLES = List.of(
                Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, "host-ñ"),
                Hello.current(Hello.Role.CHILD, 0, ""),
                Hello.current(Hello.Role.WORKER, Hello.FEATURE_ENCODE_WEBP | Hello.FEATURE_ENCODE_AVIF, ""),
                new Auth(new byte[Auth.MAC_BYTES]),
                sampleRequest(),
                requestWithOps(),
                ScaleRequest.scale(7, 1, 1, OutputFormat.PNG, 1, 1, new ImageData(PixelFormat.GRAY_ALPHA8, 1, 1, new byte[]{1, 2})),
                new ScaleRequest(8, 100, 50, OutputFormat.JPEG, 85, 1000, ExecutionMode.PROCESSES, List.of(),
                        ImageData.shared(PixelFormat.GRAY8, 200, 100, "graypipe-123-45")),
                new ScaleRequest(10, 2, 2, OutputFormat.WEBP, 90, 1000, ExecutionMode.DEFAULT, List.of(),
                        new ImageData(PixelFormat.GRAY8, 2, 2, new byte[4]), true),
                ScaleRequest.scale(11, 1, 1, OutputFormat.AVIF, 60, 1, new ImageData(PixelFormat.GRAY8, 1, 1, new byte[1])),
                new ScaleResult(42, OutputFormat.PNG, ExecutionMode.PROCESSES, 3, 2, new byte[]{1, 2, 3, 4, 5}),
                new ScaleResult(43, OutputFormat.AVIF, ExecutionMode.THREADS, 1, 1, new byte[]{9}),
                new ErrorMessage(42, ErrorCode.CHILD_CRASHED, "child died twice — ñ"),
                new ErrorMessage(ErrorMessage.CONNECTION, ErrorCode.UNAUTHORIZED, ""),
                new ErrorMessage(12, ErrorCode.UNSUPPORTED_FORMAT, "libavif is not loaded"),
                new Ping(-1L),
                new Pong(Long.MAX_VALUE));

    static List<Message> samples() {
        return SAMPLES;
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
        assertEquals(1 + 39 + 24, buf.readInt());
        assertEquals(0x10, buf.readByte());
        assertEquals(24, buf.readInt(), "payload length first");
        assertEquals(42, buf.readLong());
        assertEquals(3, buf.readInt(), "target width");
        assertEquals(2, buf.readInt(), "target height");
        assertEquals(1, buf.readByte(), "JPEG");
        assertEquals(85, buf.readUnsignedByte());
        assertEquals(0, buf.readByte(), "no encode flags");
        assertEquals(30_000, buf.readInt());
        assertEquals(0, buf.readByte(), "DEFAULT mode");
        assertEquals(0, buf.readByte(), "no ops");
        assertEquals(1, buf.readByte(), "GRAY8");
        assertEquals(6, buf.readInt());
        assertEquals(4, buf.readInt());
        assertEquals(1, buf.readByte(), "INLINE");
        assertEquals(24, buf.readableBytes());
    }

    @Test
    void opsAndSharedRegionLayoutMatchesTheSpec() {
        ByteBuf buf = Unpooled.buffer();
        ScaleRequest request = new ScaleRequest(5, 1, 1, OutputFormat.PNG, 1, 1, ExecutionMode.PROCESSES,
                List.of(new Op(OpKind.WATERMARK, 0, 0, "hi")), ImageData.shared(PixelFormat.GRAY8, 2, 2, "r1"));
        MessageCodec.encode(request, buf);
        assertEquals(1 + 39 + (18 + 2) + (1 + 2), buf.readInt());
        buf.skipBytes(1 + 4 + 8 + 4 + 4 + 1 + 1 + 1 + 4);
        assertEquals(1, buf.readByte(), "PROCESSES");
        assertEquals(1, buf.readByte(), "one op");
        assertEquals(10, buf.readByte(), "WATERMARK");
        assertEquals(0.0, buf.readDouble());
        assertEquals(0.0, buf.readDouble());
        assertEquals(2, buf.readByte());
        assertEquals('h', buf.readByte());
        assertEquals('i', buf.readByte());
        buf.skipBytes(1 + 4 + 4);
        assertEquals(2, buf.readByte(), "SHARED");
        assertEquals(2, buf.readByte());
        assertEquals('r', buf.readByte());
        assertEquals('1', buf.readByte());
        assertEquals(0, buf.readableBytes());
    }

    @Test
    void encodeFlagsAndNewFormatsFollowTheSpec() {
        ByteBuf framed = Unpooled.buffer();
        MessageCodec.encode(new ScaleRequest(3, 1, 1, OutputFormat.WEBP, 70, 9, ExecutionMode.DEFAULT, List.of(),
                new ImageData(PixelFormat.GRAY8, 1, 1, new byte[1]), true), framed);
        ByteBuf buf = framed.skipBytes(MessageCodec.LENGTH_FIELD_BYTES).slice();
        int formatAt = 1 + 4 + 8 + 4 + 4;
        assertEquals(3, buf.getByte(formatAt), "WEBP");
        assertEquals(70, buf.getByte(formatAt + 1));
        assertEquals(1, buf.getByte(formatAt + 2), "LOSSLESS");
        ByteBuf unknownFlag = buf.copy();
        unknownFlag.setByte(formatAt + 2, 2);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(unknownFlag)).code());
        ByteBuf losslessJpeg = buf.copy();
        losslessJpeg.setByte(formatAt, 1);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(losslessJpeg)).code());
        ByteBuf unknownFormat = buf.copy();
        unknownFormat.setByte(formatAt, 5);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(unknownFormat)).code());

        Hello worker = Hello.current(Hello.Role.WORKER, Hello.FEATURE_ENCODE_AVIF, "");
        assertTrue(worker.encodes(OutputFormat.AVIF) && worker.encodes(OutputFormat.JPEG));
        assertFalse(worker.encodes(OutputFormat.WEBP));
        ByteBuf helloFrame = Unpooled.buffer();
        MessageCodec.encode(worker, helloFrame);
        ByteBuf hello = helloFrame.skipBytes(MessageCodec.LENGTH_FIELD_BYTES).slice();
        hello.setInt(1 + 2 + 1, 0x8);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(hello)).code());
    }

    @Test
    void helloOfAnotherVersionIsUnsupportedNotMisread() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(Hello.current(Hello.Role.FRONT, 0, ""), buf);
        buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        buf.setShort(buf.readerIndex() + 1, 1);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION,
                assertThrows(ProtocolException.class, () -> MessageCodec.decode(buf)).code());
    }

    @Test
    void hostileOpsAndRegionNamesAreMalformed() {
        ByteBuf base = Unpooled.buffer();
        MessageCodec.encode(requestWithOps(), base);
        base.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        int opCountAt = 1 + 4 + 8 + 4 + 4 + 1 + 1 + 1 + 4 + 1;
        ByteBuf tooMany = base.copy();
        tooMany.setByte(opCountAt, 11);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(tooMany)).code());
        ByteBuf badKind = base.copy();
        badKind.setByte(opCountAt + 1, 99);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(badKind)).code());
        ByteBuf infinite = base.copy();
        infinite.setDouble(opCountAt + 2, Double.POSITIVE_INFINITY);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(infinite)).code());

        ByteBuf shared = Unpooled.buffer();
        MessageCodec.encode(new ScaleRequest(1, 1, 1, OutputFormat.PNG, 1, 1, ExecutionMode.DEFAULT, List.of(),
                ImageData.shared(PixelFormat.GRAY8, 2, 2, "ab")), shared);
        shared.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        ByteBuf traversal = shared.copy();
        traversal.setByte(traversal.writerIndex() - 2, '.');
        traversal.setByte(traversal.writerIndex() - 1, '/');
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(traversal)).code());
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
        buf.setInt(buf.readerIndex() + 1 + 4 + 8 + 4 + 4 + 1 + 1 + 4 + 1 + 1 + 1, 7); // width 7 no longer matches 24 bytes of GRAY8 at height 4
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(buf)).code());
    }

    @Test
    void invalidTargetOrFormatIsMalformed() {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(sampleRequest(), buf);
        buf.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        ByteBuf enlarging = buf.copy();
        enlarging.setInt(1 + 4 + 8, 7); // target width 7 is wider than the 6-pixel raster
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(enlarging)).code());
        ByteBuf zero = buf.copy();
        zero.setInt(1 + 4 + 8 + 4, 0);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> MessageCodec.decode(zero)).code());
        ByteBuf badFormat = buf.copy();
        badFormat.setByte(1 + 4 + 8 + 4 + 4, 9);
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

        byte[] overlong = frame.clone();
        java.nio.ByteBuffer.wrap(overlong).putInt(5, frame.length); // a payload longer than the whole frame
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class,
                () -> FrameStreams.read(new ByteArrayInputStream(overlong), MessageCodec.DEFAULT_MAX_FRAME_BYTES)).code());

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
        if (expected instanceof ScaleRequest e && actual instanceof ScaleRequest a) {
            assertEquals(e.requestId(), a.requestId());
            assertEquals(e.targetWidth(), a.targetWidth());
            assertEquals(e.targetHeight(), a.targetHeight());
            assertEquals(e.format(), a.format());
            assertEquals(e.quality(), a.quality());
            assertEquals(e.lossless(), a.lossless());
            assertEquals(e.timeoutMillis(), a.timeoutMillis());
            assertEquals(e.mode(), a.mode());
            assertEquals(e.ops(), a.ops());
            assertEquals(e.image().format(), a.image().format());
            assertEquals(e.image().width(), a.image().width());
            assertEquals(e.image().height(), a.image().height());
            assertEquals(e.image().region(), a.image().region());
            assertArrayEquals(e.image().data(), a.image().data());
        } else if (expected instanceof ScaleResult e && actual instanceof ScaleResult a) {
            assertEquals(e.requestId(), a.requestId());
            assertEquals(e.format(), a.format());
            assertEquals(e.mode(), a.mode());
            assertEquals(e.width(), a.width());
            assertEquals(e.height(), a.height());
            assertArrayEquals(e.data(), a.data());
        } else {
            assertEquals(expected, actual);
        }
    }
}
