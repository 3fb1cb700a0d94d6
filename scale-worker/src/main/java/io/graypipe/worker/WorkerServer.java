package io.graypipe.worker;

import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.ProtocolHandlers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The TCP server fronts connect to. It owns the event loops and the pool, and shuts both down in order. */
public final class WorkerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerServer.class);

    private final WorkerConfig config;
    private final ScalePool pool;
    private final EventLoopGroup group;
    private final AtomicBoolean closing = new AtomicBoolean();
    private Channel serverChannel;

    private WorkerServer(WorkerConfig config, ScalePool pool) {
        this.config = config;
        this.pool = pool;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("worker-io", true),
                NioIoHandler.newFactory());
    }

    /** Starts both pools, waits for the child processes to be ready, then listens. */
    public static WorkerServer start(WorkerConfig config) throws Exception {
        // Seed the handshake's nonce generator on this thread, not on the first connection's event loop.
        Handshake.seed();
        // Both pools are always ready, so a request can pick its mode; --mode only says where DEFAULT goes.
        ChildProcessPool children = new ChildProcessPool(config);
        try {
            children.start(Duration.ofSeconds(30));
        } catch (Exception e) {
            children.close();
            throw e;
        }
        ScalePool pool = new ModeRoutingPool(children, new ThreadScalePool(config), config.mode().executionMode());
        WorkerServer server = new WorkerServer(config, pool);
        server.bind();
        return server;
    }

    private void bind() throws InterruptedException, javax.net.ssl.SSLException {
        ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections());
        // Built once: a PEM file that cannot be read stops the worker at start, not at the first connection.
        SslContext tls = config.tls() != null ? config.tls().serverContext() : null;
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(limiter);
                        if (tls != null) {
                            // Before any protocol handler: a peer that fails the TLS handshake (no certificate
                            // from our CA, or plain TCP) is closed without reading or writing a single frame.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ProtocolHandlers.install(ch.pipeline(), config.maxFrameBytes());
                        FrontConnectionHandler.install(ch.pipeline(), config, pool);
                    }
                })
                .bind(config.host(), config.port()).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, lets accepted requests finish for up to the drain timeout, then stops everything. */
    @Override
    public void close() {
        close(config.drainTimeout());
    }

    /**
     * Stops accepting, lets accepted requests finish for up to {@code drain}, then stops the pool and its
     * children. Only the first call does anything, so a shutdown hook may call it again.
     */
    public void close(Duration drain) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            serverChannel.close().syncUninterruptibly();
            if (!pool.drain(drain)) {
                log.warn("drain timed out after {} ms; abandoning what is left", drain.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Closes connections past the cap at once, so a flood cannot exhaust the worker. */
    @ChannelHandler.Sharable
    private static final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
        private final int max;
        private final AtomicInteger open = new AtomicInteger();

        ConnectionLimiter(int max) {
            this.max = max;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (open.incrementAndGet() > max) {
                log.warn("refusing {}: {} connections already open", ctx.channel().remoteAddress(), max);
                ctx.close();
                return;
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.decrementAndGet();
            ctx.fireChannelInactive();
        }
    }
}
