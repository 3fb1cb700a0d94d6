package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StatusMessagesTest {

    private static Message roundTrip(Message message) {
        ByteBuf buffer = Unpooled.buffer();
        MessageCodec.encode(message, buffer);
        assertEquals(MessageCodec.frameSize(message), buffer.readableBytes());
        assertEquals(buffer.readableBytes() - MessageCodec.LENGTH_FIELD_BYTES, buffer.readInt());
        return MessageCodec.decode(buffer);
    }

    @Test
    void statusRequestKeepsItsNonce() {
        assertEquals(new StatusRequest(-7L), roundTrip(new StatusRequest(-7L)));
    }

    @Test
    void workerStatusKeepsEveryField() {
        WorkerStatus status = new WorkerStatus(42, 3, 2, 1, 5, 9, 4, 1, List.of(
                new WorkerStatus.Child(true, true, 100, 0),
                new WorkerStatus.Child(true, false, 7, 2),
                new WorkerStatus.Child(false, false, 0, 7)));
        assertEquals(status, roundTrip(status));
        assertEquals(4 + 1 + 44 + 3 * 17, MessageCodec.frameSize(status));
    }

    @Test
    void unknownChildFlagsAreMalformed() {
        ByteBuf buffer = Unpooled.buffer();
        MessageCodec.encode(new WorkerStatus(1, 1, 1, 0, 0, 0, 0, 0, List.of(new WorkerStatus.Child(true, false, 0, 0))),
                buffer);
        buffer.readInt();
        buffer.setByte(buffer.readerIndex() + 1 + 44, 0x80);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(buffer));
        assertEquals(ErrorCode.MALFORMED, e.code());
    }

    @Test
    void aStatusCutShortIsTruncated() {
        ByteBuf buffer = Unpooled.buffer();
        MessageCodec.encode(new WorkerStatus(1, 1, 1, 0, 0, 0, 0, 0, List.of(new WorkerStatus.Child(true, false, 0, 0))),
                buffer);
        buffer.readInt();
        ByteBuf cut = buffer.slice(buffer.readerIndex(), buffer.readableBytes() - 3);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(cut));
        assertEquals(ErrorCode.TRUNCATED, e.code());
    }
}
