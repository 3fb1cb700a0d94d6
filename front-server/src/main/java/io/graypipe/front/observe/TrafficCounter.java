package io.graypipe.front.observe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the bytes every HTTP connection reads and writes, at the socket end of the pipeline. */
@ChannelHandler.Sharable
public final class TrafficCounter extends ChannelDuplexHandler {
    private final FrontMetrics metrics;

    public TrafficCounter(FrontMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        metrics.bytesReceived(size(msg));
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long bytes = size(msg);
        if (bytes > 0) {
            // Counted once written, so a write that fails on a closed connection is not counted as sent.
            promise = promise.unvoid();
            promise.addListener(done -> {
                if (done.isSuccess()) {
                    metrics.bytesSent(bytes);
                }
            });
        }
        ctx.write(msg, promise);
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }
}
