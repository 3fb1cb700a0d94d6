package io.graypipe.front;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.http.OpenConnections;
import io.graypipe.front.task.Task;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The running front: {@link FrontComponents} started (workers connected, tasks recovered or the shared queue
 * joined, housekeeping scheduled) and listening on every requested address; {@link #close()} stops it so that
 * every request under way gets an answer.
 */
public final class FrontServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrontServer.class);
    /** How long the 503 answers of requests still under way after the grace period get to be written. */
    private static final Duration ANSWER_FLUSH = Duration.ofSeconds(2);

    private final FrontComponents components;
    private final List<Channel> listeners;

    private FrontServer(FrontComponents components, List<Channel> listeners) {
        this.components = components;
        this.listeners = List.copyOf(listeners);
    }

    /** Builds the front's components, starts them and listens; on failure, stops what was started and throws. */
    public static FrontServer start(FrontConfig config) throws Exception {
        FrontComponents components = FrontComponents.build(config);
        List<Channel> listeners = new ArrayList<>();
        try {
            run(components, listeners);
        } catch (Exception e) {
            new FrontServer(components, listeners).close();
            throw e;
        }
        return new FrontServer(components, listeners);
    }

    private static void run(FrontComponents components, List<Channel> listeners) throws Exception {
        components.workers().start();
        FrontExecutors executors = components.executors();
        components.storage().start(executors.housekeeping());
        executors.housekeeping().scheduleWithFixedDelay(components.tasks()::failOverdue, 1, 1, TimeUnit.SECONDS);
        executors.housekeeping().scheduleWithFixedDelay(components.rateLimits()::sweep, 60, 60, TimeUnit.SECONDS);
        if (components.apiKeys() != null) {
            executors.housekeeping().scheduleWithFixedDelay(components.apiKeys()::reloadIfChanged, 2, 2,
                    TimeUnit.SECONDS);
        }
        executors.housekeeping().scheduleWithFixedDelay(components.tasks()::sweep, 30, 30, TimeUnit.SECONDS);
        bind(components, listeners);
    }

    /** Listens on every address of {@code --host}; fails only if the first cannot be bound. */
    private static void bind(FrontComponents components, List<Channel> listeners) throws Exception {
        FrontConfig config = components.config();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(components.executors().acceptGroup(), components.executors().ioGroup())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(components.http());
        int port = config.listen().port();
        for (InetAddress address : bindAddresses(config.listen().host())) {
            ChannelFuture bound = bootstrap.bind(new InetSocketAddress(address, port)).await();
            if (!bound.isSuccess()) {
                if (listeners.isEmpty()) {
                    throw new IOException("cannot listen on " + address.getHostAddress() + " port " + port + ": "
                            + bound.cause().getMessage(), bound.cause());
                }
                log.warn("cannot also listen on {}: {}", address.getHostAddress(), bound.cause().getMessage());
                continue;
            }
            Channel channel = bound.channel();
            listeners.add(channel);
            // With port 0, every further address reuses the port the first one got, so one port serves all.
            port = ((InetSocketAddress) channel.localAddress()).getPort();
        }
    }

    /**
     * {@code ::} and {@code 0.0.0.0} are one wildcard socket; a host name binds every address it resolves to.
     * {@code localhost} always means both loopbacks, even where the hosts file lists only one of them.
     */
    static List<InetAddress> bindAddresses(String host) throws IOException {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        if (host.equalsIgnoreCase("localhost")) {
            addresses.add(InetAddress.getByName("127.0.0.1"));
            addresses.add(InetAddress.getByName("::1"));
        }
        addresses.addAll(List.of(InetAddress.getAllByName(host)));
        if (addresses.isEmpty()) {
            throw new IOException("no address for " + host);
        }
        return new ArrayList<>(addresses);
    }

    /** Reads the key file again now (SIGHUP); without one, nothing. */
    public void reloadKeys() {
        if (components.apiKeys() != null) {
            components.apiKeys().reload();
        }
    }

    /** The addresses the HTTP server listens on. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /**
     * Whether a sync upload would be taken now, as {@code /readyz} says: a worker is connected and has reported a
     * live child. Being connected is not enough: until its first status report, sync uploads get 503.
     */
    public boolean workerReady() {
        return components.workers().pool().unavailableReason() == null;
    }

    /** The data directory in use, which may differ from the configured one (see {@link TaskStorage#openDataDir}). */
    public Path dataDir() {
        return components.storage().files().root();
    }

    /**
     * Stops accepting connections; gives every request under way (being received or processed) the shutdown grace
     * period to be answered, each with {@code Connection: close}; then answers the rest with 503; leaves async
     * tasks on disk (or in Redis) for the next start; stops the worker this front started, and the event loops.
     * The executors stop only after every request is answered, so no upload is cut off mid-body. Safe to call
     * whether or not the front got as far as listening.
     */
    @Override
    public void close() {
        FrontConfig config = components.config();
        listeners.forEach(channel -> channel.close().syncUninterruptibly());
        components.storage().stopping();
        components.executors().settleIo();
        OpenConnections open = components.http().openConnections();
        open.drain(config.timeouts().shutdownGrace());
        for (Task task : components.tasks().unfinished()) {
            if (!task.durable()) {
                task.fail(new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                        "the server is shutting down; try again shortly"));
            }
        }
        open.refuseRest(ANSWER_FLUSH);
        components.executors().stopWork();
        components.workers().close(config.timeouts().shutdownGrace());
        components.executors().stopEventLoops();
        components.cache().close();
        components.rateLimits().close();
        components.storage().close();
        log.info("front stopped");
    }
}
