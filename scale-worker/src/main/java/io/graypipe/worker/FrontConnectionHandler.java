package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.Pong;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.StatusRequest;
import io.graypipe.protocol.WorkerStatus;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * One front's connection. Nothing but a HELLO with the right version and token is accepted until the handshake
 * is done; after it, scale requests go to the pool and answers return in whatever order they finish, and a
 * STATUS_REQUEST is answered at once with the pool's counts.
 */
final class FrontConnectionHandler extends SimpleChannelInboundHandler<Message> {
    private static final Logger log = LoggerFactory.getLogger(FrontConnectionHandler.class);

    private final WorkerConfig config;
    private final ScalePool pool;
    private boolean authenticated;
    private ScheduledFuture<?> handshakeTimer;

    FrontConnectionHandler(WorkerConfig config, ScalePool pool) {
        this.config = config;
        this.pool = pool;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimer = ctx.executor().schedule(() -> {
            if (!authenticated) {
                reject(ctx, ErrorCode.UNAUTHORIZED, "no HELLO within " + config.handshakeTimeout().toMillis() + " ms");
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message message) {
        if (!authenticated) {
            handshake(ctx, message);
        } else if (message instanceof ScaleRequest request) {
            pool.submit(request).thenAccept(answer -> {
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(answer, ctx.voidPromise());
                }
            });
        } else if (message instanceof Ping ping) {
            ctx.writeAndFlush(new Pong(ping.nonce()), ctx.voidPromise());
        } else if (message instanceof StatusRequest) {
            ScalePool.PoolStatus status = pool.status();
            ctx.writeAndFlush(new WorkerStatus(status.configured(), status.alive(), status.busy(), status.queued(),
                    status.restarts()), ctx.voidPromise());
        } else if (message instanceof Pong) {
            return;
        } else {
            reject(ctx, ErrorCode.MALFORMED, "a front may send SCALE_REQUEST, STATUS_REQUEST, PING and PONG, not "
                    + message.getClass().getSimpleName());
        }
    }

    private void handshake(ChannelHandlerContext ctx, Message message) {
        if (!(message instanceof Hello hello)) {
            reject(ctx, ErrorCode.UNAUTHORIZED, "the first message must be HELLO");
        } else if (hello.version() != MessageCodec.VERSION) {
            reject(ctx, ErrorCode.UNSUPPORTED_VERSION, "this worker speaks protocol version " + MessageCodec.VERSION
                    + ", not " + hello.version());
        } else if (!MessageDigest.isEqual(hello.token(), config.token())) {
            reject(ctx, ErrorCode.UNAUTHORIZED, "bad token");
        } else {
            authenticated = true;
            handshakeTimer.cancel(false);
            ctx.writeAndFlush(Hello.current(new byte[0]), ctx.voidPromise());
            log.info("front {} connected", ctx.channel().remoteAddress());
        }
    }

    private void reject(ChannelHandlerContext ctx, ErrorCode code, String why) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), why);
        ctx.writeAndFlush(new ErrorMessage(ErrorMessage.CONNECTION, code, why)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
