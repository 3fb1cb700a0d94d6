package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.HandshakeCompletionEvent;
import io.graypipe.protocol.Heartbeat;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ServerHandshakeHandler;
import io.graypipe.protocol.StatusRequest;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One front's connection, after the handshake. {@link #install} puts the protocol's {@link ServerHandshakeHandler}
 * and {@link Heartbeat} before it, so it sees nothing until a front has proved it holds the secret (PROTOCOL.md,
 * "Conversations"), and never a PING or PONG; it logs how the handshake went, sends scale requests to the pool and
 * answers them in whatever order they finish, and answers status requests. All state here is touched only on the
 * channel's event loop.
 */
final class FrontConnectionHandler extends SimpleChannelInboundHandler<Message> {
    private static final Logger log = LoggerFactory.getLogger(FrontConnectionHandler.class);

    private final ScalePool pool;

    private FrontConnectionHandler(ScalePool pool) {
        this.pool = pool;
    }

    /**
     * Adds the handshake, the heartbeat and a handler for one front's requests to the end of {@code pipeline}: the
     * only way to make one, so that no request is read before the handshake.
     */
    static void install(ChannelPipeline pipeline, WorkerConfig config, ScalePool pool) {
        SharedRegionReader regions = config.sharedMemory();
        int encoders = config.encoders().helloFeatures();
        pipeline.addLast(regions != null
                ? new ServerHandshakeHandler(Hello.FEATURE_SHARED_MEMORY | encoders, regions.hostId(),
                        config.secrets()::accepted, config.handshakeTimeout())
                : new ServerHandshakeHandler(encoders, "", config.secrets()::accepted, config.handshakeTimeout()));
        pipeline.addLast(new Heartbeat());
        pipeline.addLast(new FrontConnectionHandler(pool));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof HandshakeCompletionEvent handshake)) {
            ctx.fireUserEventTriggered(event);
        } else if (!handshake.isSuccess()) {
            log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), handshake.failure());
        } else {
            log.info("front {} connected{}", ctx.channel().remoteAddress(),
                    handshake.secretIndex() == 0 ? "" : " with the previous secret (--previous-token-file)");
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message message) {
        if (message instanceof ScaleRequest request) {
            pool.submit(request).thenAccept(answer -> {
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(answer, ctx.voidPromise());
                }
            });
        } else if (message instanceof StatusRequest request) {
            ctx.writeAndFlush(pool.status().toMessage(request.nonce()), ctx.voidPromise());
        } else {
            reject(ctx, ErrorCode.MALFORMED, "a front may send SCALE_REQUEST, STATUS_REQUEST, PING and PONG, not "
                    + message.getClass().getSimpleName());
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
