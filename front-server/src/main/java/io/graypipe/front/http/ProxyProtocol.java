package io.graypipe.front.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The PROXY protocol (v1 text and v2 binary, as HAProxy's {@code send-proxy-v2} sends it) on client connections: a
 * load balancer names its client in a header before the first request, so rate limits and fair queues see the
 * client rather than the balancer. The first handler of every connection: it looks at the first bytes and leaves
 * the pipeline. A header is read (Netty's {@link HAProxyMessageDecoder}) only from a peer in
 * {@code --trusted-proxy}; a connection from anyone else that starts with one is closed before any request, so no
 * client can pose as another. A connection without one (a client straight to the front, a proxy sending only
 * {@code X-Forwarded-For}) goes on as plain HTTP. A {@code LOCAL} header (HAProxy's health checks) names no client:
 * the peer stays the client.
 */
final class ProxyProtocol extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
    private static final AttributeKey<InetSocketAddress> CLIENT = AttributeKey.valueOf("graypipe.proxied-client");
    private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Refusals are logged at most this often: a client sending headers on purpose must not fill the log. */
    private static final long REFUSAL_LOG_NANOS = 60_000_000_000L;
    private static final AtomicLong lastRefusalLogged = new AtomicLong(System.nanoTime() - REFUSAL_LOG_NANOS);

    private final Predicate<InetAddress> trusted;

    /** @param trusted whether a peer is a trusted proxy, whose header names the client */
    ProxyProtocol(Predicate<InetAddress> trusted) {
        this.trusted = trusted;
    }

    /** The client of a connection: the one its PROXY header named, else its peer. */
    static SocketAddress client(Channel channel) {
        InetSocketAddress proxied = channel.attr(CLIENT).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Prefix v1 = prefix(in, V1);
        Prefix v2 = prefix(in, V2);
        if (v1 == Prefix.NO && v2 == Prefix.NO) {
            // Plain HTTP: the bytes so far go on to the HTTP codec when this handler leaves.
            ctx.pipeline().remove(this);
            return;
        }
        if (v1 == Prefix.PARTIAL || v2 == Prefix.PARTIAL) {
            return;
        }
        SocketAddress peer = ctx.channel().remoteAddress();
        if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null
                || !trusted.test(socket.getAddress())) {
            in.skipBytes(in.readableBytes());
            logRefusal(peer);
            ctx.close();
            return;
        }
        ctx.pipeline().addAfter(ctx.name(), "proxy-header", new HAProxyMessageDecoder());
        ctx.pipeline().addAfter("proxy-header", "proxy-client", new ProxiedClient());
        ctx.pipeline().remove(this);
    }

    private static void logRefusal(SocketAddress peer) {
        long last = lastRefusalLogged.get();
        long now = System.nanoTime();
        if (now - last >= REFUSAL_LOG_NANOS && lastRefusalLogged.compareAndSet(last, now)) {
            log.warn("closed a connection from {} that began with a PROXY protocol header: only a --trusted-proxy may"
                    + " send one. If {} is your load balancer, start the front with --trusted-proxy ADDRESS/PREFIX"
                    + " (logged at most once a minute)", peer, peer);
        }
    }

    private enum Prefix { NO, PARTIAL, WHOLE }

    private static Prefix prefix(ByteBuf in, byte[] signature) {
        int start = in.readerIndex();
        int n = Math.min(in.readableBytes(), signature.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != signature[i]) {
                return Prefix.NO;
            }
        }
        return n == signature.length ? Prefix.WHOLE : Prefix.PARTIAL;
    }

    /** Takes the decoded header, records the client it names, and leaves the pipeline. */
    private static final class ProxiedClient extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                HAProxyProxiedProtocol protocol = header.proxiedProtocol();
                if (header.command() == HAProxyCommand.PROXY && (protocol == HAProxyProxiedProtocol.TCP4
                        || protocol == HAProxyProxiedProtocol.TCP6)) {
                    // An IP literal from the header: never a name lookup.
                    InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
                    if (source != null) {
                        ctx.channel().attr(CLIENT).set(new InetSocketAddress(source, header.sourcePort()));
                    }
                }
            } finally {
                header.release();
                ctx.pipeline().remove(this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A malformed header, even from a trusted proxy: nothing on this connection can be read after it.
            log.debug("bad PROXY protocol header from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
