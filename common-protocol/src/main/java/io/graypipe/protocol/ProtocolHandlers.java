package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.AttributeKey;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * The Netty adapter over {@link MessageCodec}: length-field framing, message decoding and encoding, and a
 * guard that answers any protocol violation with an ERROR frame and closes the connection.
 */
public final class ProtocolHandlers {
    public static final String FRAMER = "protocol-framer";
    public static final String DECODER = "protocol-decoder";
    public static final String ENCODER = "protocol-encoder";
    public static final String GUARD = "protocol-guard";

    private ProtocolHandlers() {
    }

    /** Adds framing, codec and the violation guard to the end of {@code pipeline}. */
    public static void install(ChannelPipeline pipeline, int maxFrameBytes) {
        LengthFieldBasedFrameDecoder framer = new LengthFieldBasedFrameDecoder(
                maxFrameBytes + MessageCodec.LENGTH_FIELD_BYTES, 0, MessageCodec.LENGTH_FIELD_BYTES, 0,
                MessageCodec.LENGTH_FIELD_BYTES, true);
        // Frames carry whole rasters (8 MB for 4K): gathering reads into a composite avoids re-copying the
        // growing cumulation buffer on every read; the decoder copies the pixels out exactly once.
        framer.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        pipeline.addLast(FRAMER, framer);
        pipeline.addLast(DECODER, new Decoder());
        pipeline.addLast(ENCODER, new Encoder());
        pipeline.addLast(GUARD, new ViolationGuard());
    }

    /** Set once a connection broke the protocol: nothing it sends after that is decoded. */
    private static final AttributeKey<Boolean> VIOLATED = AttributeKey.valueOf("graypipe.protocol.violated");

    /**
     * Decodes frames until the first violation, then drops the rest: frames that arrive in the same read as a bad
     * one are not handed on to a connection that is being closed (fuzz finding F1, docs/fuzzing.md).
     */
    private static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
            if (Boolean.TRUE.equals(ctx.channel().attr(VIOLATED).get())) {
                return;
            }
            try {
                out.add(MessageCodec.decode(frame));
            } catch (ProtocolException e) {
                ctx.channel().attr(VIOLATED).set(true);
                throw e;
            }
        }
    }

    @ChannelHandler.Sharable
    private static final class Encoder extends MessageToByteEncoder<Message> {
        @Override
        protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Message msg, boolean preferDirect) {
            return ctx.alloc().ioBuffer(MessageCodec.frameSize(msg));
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
            MessageCodec.encode(msg, out);
        }
    }

    /**
     * Sits after the codec so it sees decoding failures as exceptions. Decoding state is unknown after a
     * violation, so the only safe move is to tell the peer why and close.
     */
    private static final class ViolationGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ProtocolException violation = asViolation(cause);
            if (violation == null) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            ctx.channel().attr(VIOLATED).set(true);
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(violation.toErrorMessage()).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** The protocol violation behind a decoder failure, or null if {@code cause} is something else. */
    public static ProtocolException asViolation(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException violation) {
            return violation;
        }
        if (root instanceof TooLongFrameException tooLong) {
            return new ProtocolException(ErrorCode.FRAME_TOO_LARGE, tooLong.getMessage());
        }
        return null;
    }
}
