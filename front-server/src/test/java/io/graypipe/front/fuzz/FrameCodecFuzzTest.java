package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.ProtocolException;
import io.graypipe.protocol.ProtocolHandlers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile bytes into both adapters of the frame codec: the Netty pipeline ({@link ProtocolHandlers} on an
 * {@link EmbeddedChannel}) and the stream reader of the child processes ({@link FrameStreams}).
 *
 * <p>Invariants: the only failure is a {@link ProtocolException} (Netty answers it with an ERROR frame and closes);
 * every decoded message re-encodes to a frame that decodes to the same bytes again; both adapters decode the same
 * messages from the same bytes; and a second run gives the same answer. Frames are capped at {@link #MAX_FRAME}, so
 * nothing larger is ever allocated for one.
 */
class FrameCodecFuzzTest {
    static final int MAX_FRAME = 1 << 16;

    @FuzzTest
    void nettyAdapter(byte[] input) {
        Outcome first = viaNetty(input);
        assertEquals(first, viaNetty(input), "the same bytes must give the same answer");
    }

    @FuzzTest
    void streamAdapter(byte[] input) throws IOException {
        Outcome first = viaStream(input);
        assertEquals(first, viaStream(input), "the same bytes must give the same answer");
        Outcome netty = viaNetty(input);
        // Netty waits for the rest of a frame cut short; the stream reader calls that a violation. Up to that
        // point, both must have decoded exactly the same messages.
        assertEquals(first.messages(), netty.messages(), "both adapters must decode the same messages");
    }

    /** What an adapter made of the bytes: each decoded message re-encoded as hex, and the violation, if any. */
    record Outcome(List<String> messages, String violation) {
    }

    private static Outcome viaNetty(byte[] input) {
        EmbeddedChannel channel = new EmbeddedChannel();
        ProtocolHandlers.install(channel.pipeline(), MAX_FRAME);
        try {
            List<String> messages = new ArrayList<>();
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    // Fixed finding F1 (docs/fuzzing.md): nothing may arrive once a violation closed the channel.
                    assertTrue(ctx.channel().isOpen(), "a message decoded after the connection closed");
                    messages.add(canonical((Message) msg));
                }
            });
            channel.writeInbound(Unpooled.wrappedBuffer(input));
            channel.checkException();
            String violation = null;
            ByteBuf out = channel.readOutbound();
            if (out != null) {
                try {
                    Message answer = MessageCodec.decode(out.skipBytes(MessageCodec.LENGTH_FIELD_BYTES));
                    assertTrue(answer instanceof ErrorMessage, "the only answer to bad bytes is an ERROR frame");
                    violation = ((ErrorMessage) answer).code().name();
                } finally {
                    out.release();
                }
                assertFalse(channel.isOpen(), "a violation closes the connection");
            }
            return new Outcome(messages, violation);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static Outcome viaStream(byte[] input) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        List<String> messages = new ArrayList<>();
        try {
            for (Message m; (m = FrameStreams.read(in, MAX_FRAME)) != null; ) {
                messages.add(canonical(m));
            }
            return new Outcome(messages, null);
        } catch (ProtocolException e) {
            return new Outcome(messages, e.code().name());
        }
    }

    /** The message re-encoded; decoding that frame and encoding again must give the same bytes. */
    private static String canonical(Message message) {
        String once = hex(message);
        ByteBuf frame = Unpooled.buffer();
        MessageCodec.encode(message, frame);
        Message again = MessageCodec.decode(frame.skipBytes(MessageCodec.LENGTH_FIELD_BYTES));
        assertEquals(once, hex(again), "a decoded message must survive encode and decode unchanged");
        return once;
    }

    private static String hex(Message message) {
        ByteBuf frame = Unpooled.buffer();
        MessageCodec.encode(message, frame);
        return ByteBufUtil.hexDump(frame);
    }
}
