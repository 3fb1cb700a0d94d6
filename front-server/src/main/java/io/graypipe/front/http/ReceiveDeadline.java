package io.graypipe.front.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A total deadline for receiving each request: its line, headers and body must all arrive within the receive
 * timeout of the request's first byte. {@code IdleStateHandler} only notices silence, so without this a client
 * that trickles one byte every few seconds (slowloris) would hold its connection forever.
 *
 * <p>Two handlers share one connection's timer: {@link #ARM} sits before the HTTP codec, where it sees the first
 * raw byte of a request; {@link #DISARM} sits after it, where it sees the request's {@link LastHttpContent}. When
 * the timer fires, {@link #EXPIRED} travels up the pipeline as a user event for {@link HttpRequestHandler}, which
 * answers 408 and closes the connection. Both handlers run on the connection's event loop, so the timer field
 * needs no synchronisation.
 */
final class ReceiveDeadline {
    static final String ARM = "receive-deadline-arm";
    static final String DISARM = "receive-deadline-disarm";

    /** The user event fired when a request was not fully received in time. */
    static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "ReceiveDeadline.EXPIRED";
        }
    };

    private final long timeoutNanos;
    private ChannelHandlerContext disarmContext;
    private ScheduledFuture<?> timer;

    private ReceiveDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Adds both handlers around the handler named {@code codecName}, which must already be in the pipeline. */
    static void install(ChannelPipeline pipeline, String codecName, Duration timeout) {
        ReceiveDeadline deadline = new ReceiveDeadline(timeout);
        pipeline.addBefore(codecName, ARM, deadline.new Arm());
        pipeline.addAfter(codecName, DISARM, deadline.new Disarm());
    }

    private void arm() {
        if (timer == null && disarmContext != null) {
            ChannelHandlerContext ctx = disarmContext;
            timer = ctx.executor().schedule(() -> {
                timer = null;
                ctx.fireUserEventTriggered(EXPIRED);
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Starts the clock at the first byte of a request. */
    private final class Arm extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            arm();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }
    }

    /** Stops the clock once a request has fully arrived. */
    private final class Disarm extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            disarmContext = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent) {
                disarm();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
