package io.graypipe.front.worker;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps one connection to a worker's address open: connects, and after a failed attempt or a lost connection tries
 * again with backoff (100 ms, doubling up to 2 s, back to 100 ms after a handshake: PROTOCOL.md). A host name is
 * resolved by Netty's asynchronous DNS resolver ({@code /etc/hosts}, then the system's name servers, answers cached
 * for their TTL), afresh on each attempt once its answer expires, so a worker that moves is found and no event loop
 * ever waits for a lookup. State is confined to the event loop.
 */
final class WorkerConnector {
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final EventLoop loop;
    private final Supplier<InetSocketAddress> address;
    private final Consumer<String> attemptFailed;
    private final Consumer<Channel> closed;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final Bootstrap bootstrap;
    private Channel channel;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean stopped;

    /**
     * @param address       where to connect, asked at each attempt: unresolved (a host name) or resolved; it may
     *                      throw, with why, while there is no address yet (a local worker starting)
     * @param pipeline      sets up each new connection's pipeline
     * @param attemptFailed told why an attempt failed
     * @param closed        told when a connection closes, before the next attempt is scheduled
     */
    WorkerConnector(EventLoop loop, Supplier<InetSocketAddress> address, ChannelHandler pipeline,
                    Consumer<String> attemptFailed, Consumer<Channel> closed) {
        this.loop = loop;
        this.address = address;
        this.attemptFailed = attemptFailed;
        this.closed = closed;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class).socketChannelType(NioSocketChannel.class));
        // Made here, on the caller's thread: making it reads /etc/resolv.conf and /etc/hosts, which must not
        // happen on the event loop of the first connect.
        resolver.getResolver(loop);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
                .handler(pipeline);
    }

    void start() {
        loop.execute(this::connect);
    }

    /** The handshake on the current connection succeeded: the next loss starts the backoff afresh. */
    void handshaken() {
        backoffMillis = FIRST_BACKOFF_MILLIS;
    }

    /** Closes the connection and stops reconnecting. */
    void stop() {
        loop.execute(() -> {
            stopped = true;
            if (channel != null) {
                channel.close();
            }
            resolver.close();
        });
    }

    private void connect() {
        if (stopped) {
            return;
        }
        InetSocketAddress target;
        try {
            target = address.get();
        } catch (RuntimeException e) {
            attemptFailed.accept(e.getMessage());
            scheduleReconnect();
            return;
        }
        bootstrap.connect(target).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                Throwable cause = future.cause();
                attemptFailed.accept("cannot connect to " + target.getHostString() + ":" + target.getPort() + ": "
                        + Objects.toString(cause.getMessage(), cause.toString()).strip());
                scheduleReconnect();
                return;
            }
            channel = future.channel();
            channel.closeFuture().addListener(f -> onClose(future.channel()));
        });
    }

    private void onClose(Channel lost) {
        if (lost != channel) {
            return;
        }
        channel = null;
        closed.accept(lost);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        loop.schedule(this::connect, backoffMillis, TimeUnit.MILLISECONDS);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }
}
