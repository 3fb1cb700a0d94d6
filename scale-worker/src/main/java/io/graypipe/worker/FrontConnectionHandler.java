package io.graypipe.worker;

import io.graypipe.protocol.Auth;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.Pong;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.StatusRequest;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One front's connection. Until the handshake is done (PROTOCOL.md, "Conversations": HELLO both ways, then the
 * front's AUTH proof, then ours) nothing else is accepted; after it, scale requests go to the pool and answers
 * return in whatever order they finish. All state here is touched only on the channel's event loop.
 */
final class FrontConnectionHandler extends SimpleChannelInboundHandler<Message> {
    private static final Logger log = LoggerFactory.getLogger(FrontConnectionHandler.class);

    private final WorkerConfig config;
    private final ScalePool pool;
    private boolean authenticated;
    /** The front's HELLO and our answer, once exchanged; the AUTH proofs are computed over both. */
    private Hello frontHello;
    private Hello ourHello;
    private ScheduledFuture<?> handshakeTimer;

    FrontConnectionHandler(WorkerConfig config, ScalePool pool) {
        this.config = config;
        this.pool = pool;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimer = ctx.executor().schedule(() -> {
            if (!authenticated) {
                reject(ctx, ErrorCode.UNAUTHORIZED, "no handshake within " + config.handshakeTimeout().toMillis() + " ms");
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
        } else if (message instanceof StatusRequest request) {
            ctx.writeAndFlush(pool.status().toMessage(request.nonce()), ctx.voidPromise());
        } else if (message instanceof Pong) {
            return;
        } else {
            reject(ctx, ErrorCode.MALFORMED, "a front may send SCALE_REQUEST, STATUS_REQUEST, PING and PONG, not "
                    + message.getClass().getSimpleName());
        }
    }

    private void handshake(ChannelHandlerContext ctx, Message message) {
        if (frontHello == null) {
            if (!(message instanceof Hello hello)) {
                reject(ctx, ErrorCode.UNAUTHORIZED, "the first message must be HELLO");
            } else if (hello.role() != Hello.Role.FRONT) {
                reject(ctx, ErrorCode.UNAUTHORIZED, "a HELLO from a " + hello.role() + ", not a FRONT");
            } else {
                frontHello = hello;
                SharedRegionReader regions = config.sharedMemory();
                int encoders = config.encoders().helloFeatures();
                ourHello = regions != null
                        ? Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY | encoders, regions.hostId())
                        : Hello.current(Hello.Role.WORKER, encoders, "");
                ctx.writeAndFlush(ourHello, ctx.voidPromise());
            }
        } else if (!(message instanceof Auth auth)) {
            reject(ctx, ErrorCode.UNAUTHORIZED, "the second message must be AUTH");
        } else {
            List<byte[]> secrets = config.secrets().accepted();
            int matched = -1;
            for (int i = 0; i < secrets.size() && matched < 0; i++) {
                if (Handshake.verify(secrets.get(i), Hello.Role.FRONT, frontHello, ourHello, auth)) {
                    matched = i;
                }
            }
            if (matched < 0) {
                reject(ctx, ErrorCode.UNAUTHORIZED, "wrong proof: the front does not hold this worker's secret");
                return;
            }
            authenticated = true;
            handshakeTimer.cancel(false);
            // Answered under the secret the front proved, so a front still on the previous one can check it.
            ctx.writeAndFlush(Handshake.proof(secrets.get(matched), Hello.Role.WORKER, frontHello, ourHello),
                    ctx.voidPromise());
            log.info("front {} connected{}", ctx.channel().remoteAddress(),
                    matched == 0 ? "" : " with the previous secret (--previous-token-file)");
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
