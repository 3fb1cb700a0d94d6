package io.graypipe.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The link's heartbeat (PROTOCOL.md, "Conversations", step 8), placed after the handshake handler: it answers
 * every PING with a PONG and drops every PONG, so the handlers after it see only requests and answers. On the
 * pinging side (the front) a {@link #clock} placed before the framer tells it when the connection was idle: after
 * one interval without writing it sends a PING, and after three without reading a byte it fires
 * {@link PeerSilent} and closes the connection. The clock sits before the framer so that a large frame still
 * arriving counts as reading. Without a clock (the worker) it only answers.
 */
public final class Heartbeat extends ChannelInboundHandlerAdapter {
    /** Fired, just before the connection is closed, when the peer sent nothing for three intervals. */
    public record PeerSilent() {
    }

    /** The pinging side's idle clock: writer idle after {@code interval}, reader idle after three. */
    public static IdleStateHandler clock(Duration interval) {
        return new IdleStateHandler(interval.multipliedBy(3).toMillis(), interval.toMillis(), 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (message instanceof Ping ping) {
            ctx.writeAndFlush(new Pong(ping.nonce()), ctx.voidPromise());
        } else if (!(message instanceof Pong)) {
            ctx.fireChannelRead(message);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof IdleStateEvent idle)) {
            ctx.fireUserEventTriggered(event);
        } else if (idle.state() == IdleState.READER_IDLE) {
            ctx.fireUserEventTriggered(new PeerSilent());
            ctx.close();
        } else if (idle.state() == IdleState.WRITER_IDLE) {
            ctx.writeAndFlush(new Ping(System.nanoTime()), ctx.voidPromise());
        }
    }
}
