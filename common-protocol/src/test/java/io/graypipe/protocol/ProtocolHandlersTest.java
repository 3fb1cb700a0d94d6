package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Netty adapter: framing across arbitrary chunk boundaries, and violations answered with ERROR then close. */
class ProtocolHandlersTest {

    private static EmbeddedChannel channel(int maxFrame) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ProtocolHandlers.install(ch.pipeline(), maxFrame);
        return ch;
    }

    @Test
    void framesSplitAcrossChunksDecodeWhole() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf wire = Unpooled.buffer();
        for (Message m : MessageCodecTest.samples()) {
            MessageCodec.encode(m, wire);
        }
        while (wire.isReadable()) {
            ch.writeInbound(wire.readRetainedSlice(Math.min(3, wire.readableBytes())));
        }
        for (Message expected : MessageCodecTest.samples()) {
            MessageCodecTest.assertSameMessage(expected, ch.readInbound());
        }
        assertNull(ch.readInbound());
        assertTrue(ch.isActive());
    }

    @Test
    void outboundMessagesAreFramed() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeOutbound(new Ping(5));
        ByteBuf out = ch.readOutbound();
        assertEquals(9, out.readInt());
        assertEquals(MessageType.PING.code(), out.readByte());
        assertEquals(5, out.readLong());
        out.release();
    }

    @Test
    void oversizedFrameGetsErrorAndClose() {
        EmbeddedChannel ch = channel(64);
        ByteBuf header = Unpooled.buffer();
        header.writeInt(1_000_000);
        header.writeByte(MessageType.PING.code());
        ch.writeInbound(header);
        assertViolation(ch, ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void unknownTypeGetsErrorAndClose() {
        EmbeddedChannel ch = channel(64);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 1, 0x55}));
        assertViolation(ch, ErrorCode.UNKNOWN_TYPE);
    }

    @Test
    void truncatedBodyGetsErrorAndClose() {
        EmbeddedChannel ch = channel(64);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 3, 0x30, 1, 2}));
        assertViolation(ch, ErrorCode.TRUNCATED);
    }

    private static void assertViolation(EmbeddedChannel ch, ErrorCode expected) {
        ByteBuf out = ch.readOutbound();
        out.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        ErrorMessage error = (ErrorMessage) MessageCodec.decode(out);
        out.release();
        assertEquals(expected, error.code());
        assertEquals(ErrorMessage.CONNECTION, error.requestId());
        assertFalse(ch.isActive(), "connection closed after a violation");
    }
}
