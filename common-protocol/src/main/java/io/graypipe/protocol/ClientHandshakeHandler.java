package io.graypipe.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.function.Supplier;

/**
 * The front's side of the link handshake (PROTOCOL.md, "Conversations", steps 1, 3 and 5): it sends the front's
 * HELLO as soon as the connection is active, answers the worker's HELLO with the front's AUTH proof, and checks the
 * worker's proof. No message passes it before then. When the handshake is over it fires a
 * {@link HandshakeCompletionEvent}; on success it also removes itself, so that every later frame goes straight to
 * the handlers after it. A wrong proof, or any other frame first (an ERROR from a worker that refused us, say),
 * fails the handshake and closes the connection: nothing is sent to a peer that did not prove it holds the secret.
 * Its fields are touched only on the connection's event loop.
 */
public final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final int features;
    private final String hostId;
    private final Supplier<byte[]> secrets;
    private Hello ours;
    private Hello theirs;
    /** The secret this connection's handshake uses, taken once so that both proofs use the same one. */
    private byte[] secret;
    private boolean failed;

    /**
     * @param features the front's HELLO features ({@link Hello#FEATURE_SHARED_MEMORY} or 0)
     * @param hostId   the front's host id, empty without shared memory
     * @param secret   the shared secret, asked for once per connection: a rotated token file is used from the next one
     */
    public ClientHandshakeHandler(int features, String hostId, Supplier<byte[]> secret) {
        this.features = features;
        this.hostId = hostId;
        this.secrets = secret;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ours = Hello.current(Hello.Role.FRONT, features, hostId);
        ctx.writeAndFlush(ours, ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (failed) {
            return; // the connection is closing; nothing more is read from an unproven peer
        }
        if (theirs == null && message instanceof Hello hello && hello.role() == Hello.Role.WORKER) {
            theirs = hello;
            secret = secrets.get();
            ctx.writeAndFlush(Handshake.proof(secret, Hello.Role.FRONT, ours, theirs), ctx.voidPromise());
        } else if (theirs != null && message instanceof Auth proof) {
            if (Handshake.verify(secret, Hello.Role.WORKER, ours, theirs, proof)) {
                ctx.pipeline().remove(this);
                ctx.fireUserEventTriggered(HandshakeCompletionEvent.succeeded(ours, theirs, 0));
            } else {
                fail(ctx, "the worker at " + ctx.channel().remoteAddress()
                        + " does not hold the shared secret; no image was sent to it");
            }
        } else if (message instanceof ErrorMessage error) {
            fail(ctx, HandshakeCompletionEvent.refused(error));
        } else {
            fail(ctx, "the worker at " + ctx.channel().remoteAddress() + " sent "
                    + message.getClass().getSimpleName() + " before the handshake ended");
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        fail(ctx, HandshakeCompletionEvent.failed(why));
    }

    private void fail(ChannelHandlerContext ctx, HandshakeCompletionEvent failure) {
        failed = true;
        ctx.fireUserEventTriggered(failure);
        ctx.close();
    }
}
