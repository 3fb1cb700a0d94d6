package io.graypipe.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The worker's side of the link handshake (PROTOCOL.md, "Conversations", steps 2 and 4): it waits for the front's
 * HELLO and answers with the worker's, then checks the front's AUTH proof against every accepted secret (the
 * current one, and the previous one during a rotation) and answers with its own proof under the secret that
 * matched. No message passes it before then. When the handshake is over it fires a
 * {@link HandshakeCompletionEvent}; on success it also removes itself, so that requests go straight to the
 * handlers after it. Anything else first, a HELLO from another role, a wrong proof, or no handshake within the
 * timeout, is answered with ERROR {@code UNAUTHORIZED} (request id 0) and the connection is closed. Its fields are
 * touched only on the connection's event loop.
 */
public final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final int features;
    private final String hostId;
    private final Supplier<List<byte[]>> secrets;
    private final Duration timeout;
    private Hello theirs;
    private Hello ours;
    private ScheduledFuture<?> timer;
    private boolean over;

    /**
     * @param features the worker's HELLO features (shared memory, encoders)
     * @param hostId   the worker's host id, empty without shared memory
     * @param secrets  every secret a front's proof may be made with, the current one first; asked for at each proof
     * @param timeout  how long after the connection the handshake must be over
     */
    public ServerHandshakeHandler(int features, String hostId, Supplier<List<byte[]>> secrets, Duration timeout) {
        this.features = features;
        this.hostId = hostId;
        this.secrets = secrets;
        this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            if (!over) {
                reject(ctx, "no handshake within " + timeout.toMillis() + " ms");
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (over) {
            return; // refused and closing: nothing more is read from this front
        }
        if (theirs == null) {
            if (!(message instanceof Hello hello)) {
                reject(ctx, "the first message must be HELLO");
            } else if (hello.role() != Hello.Role.FRONT) {
                reject(ctx, "a HELLO from a " + hello.role() + ", not a FRONT");
            } else {
                theirs = hello;
                ours = Hello.current(Hello.Role.WORKER, features, hostId);
                ctx.writeAndFlush(ours, ctx.voidPromise());
            }
        } else if (!(message instanceof Auth proof)) {
            reject(ctx, "the second message must be AUTH");
        } else {
            List<byte[]> accepted = secrets.get();
            int matched = -1;
            for (int i = 0; i < accepted.size() && matched < 0; i++) {
                if (Handshake.verify(accepted.get(i), Hello.Role.FRONT, theirs, ours, proof)) {
                    matched = i;
                }
            }
            if (matched < 0) {
                reject(ctx, "wrong proof: the front does not hold this worker's secret");
                return;
            }
            over = true;
            cancelTimer();
            // Answered under the secret the front proved, so a front still on the previous one can check it.
            ctx.writeAndFlush(Handshake.proof(accepted.get(matched), Hello.Role.WORKER, theirs, ours),
                    ctx.voidPromise());
            ctx.pipeline().remove(this);
            ctx.fireUserEventTriggered(HandshakeCompletionEvent.succeeded(ours, theirs, matched));
        }
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        over = true;
        cancelTimer();
        ctx.fireUserEventTriggered(HandshakeCompletionEvent.failed(why));
        ctx.writeAndFlush(new ErrorMessage(ErrorMessage.CONNECTION, ErrorCode.UNAUTHORIZED, why))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
