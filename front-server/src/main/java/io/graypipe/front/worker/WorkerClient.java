package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ClientHandshakeHandler;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.HandshakeCompletionEvent;
import io.graypipe.protocol.Heartbeat;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.ProtocolHandlers;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The front's connection to one scale-worker, at one address; a {@link WorkerPool} holds one per worker. It puts
 * together its parts, each with one job, and decides what a lost connection means:
 * {@link WorkerConnector} (connect, reconnect with backoff, DNS), the protocol's {@link ClientHandshakeHandler} and
 * {@link Heartbeat} (every connection's handshake and liveness), {@link ScaleCalls} (requests matched to answers,
 * deadlines, resends), {@link SharedMemoryChoice} (region or inline) and {@link StatusPolling} (the worker's pool
 * status). A lone worker's unanswered requests are sent again once it is back, so a worker restart loses nothing;
 * in a pool of several ({@link #failOverOnLoss()}) they fail at once with {@link WorkerLostException}, and the pool
 * moves them to another worker. Each request still ends by its own deadline.
 *
 * <p>With {@code tls}, every connection runs the TLS handshake first (mutual: our certificate, the worker's checked
 * against the link's CA), and the protocol's HMAC handshake inside it.
 *
 * <p>All connection state is confined to one event loop; {@link #scale} may be called from any thread.
 */
public final class WorkerClient implements Workers {
    private static final Logger log = LoggerFactory.getLogger(WorkerClient.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final String label;
    private final WorkerConnector connector;
    private final SharedMemoryChoice memory;
    private final ScaleCalls calls;
    private final StatusPolling status;
    /** The handshaken connection, or null while there is none; written on the event loop, read anywhere. */
    private volatile WorkerLink link;
    private volatile String lastFailure = "not connected yet";
    /** Set by a pool of several workers before {@link #start()}: requests of a lost connection fail over. */
    private volatile boolean failOver;
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param label         the worker's address as the operator wrote it, for logs, metrics and /stats
     * @param address       where to connect, asked at each attempt; an unresolved address is resolved by Netty's DNS
     *                      resolver
     * @param token         the shared secret, asked for at each handshake: a rotated token file is used from the
     *                      next connection
     * @param tls           mutual TLS for the link, or null for plain TCP
     * @param transferTimes told, for each request, how long it took from {@link #scale} until the request was
     *                      completely written to the worker's socket (waiting for a connection included)
     * @param regions       this front's shared-memory regions, offered in its HELLO; null for none
     */
    public WorkerClient(EventLoopGroup group, String label, Supplier<InetSocketAddress> address, Supplier<byte[]> token,
                        int maxFrameBytes, SslContext tls, Consumer<Duration> transferTimes, SharedRegions regions) {
        // Seed the handshake's nonce generator here, on the caller's thread: the handshake runs on an event loop.
        Handshake.seed();
        EventLoop loop = group.next();
        this.label = label;
        this.memory = new SharedMemoryChoice(regions);
        this.calls = new ScaleCalls(loop, memory, transferTimes);
        this.status = new StatusPolling(loop);
        this.connector = new WorkerConnector(loop, address, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline pipeline = ch.pipeline();
                if (tls != null) {
                    pipeline.addLast(tls.newHandler(ch.alloc()));
                }
                pipeline.addLast(Heartbeat.clock(HEARTBEAT));
                ProtocolHandlers.install(pipeline, maxFrameBytes);
                pipeline.addLast(new ClientHandshakeHandler(memory.helloFeatures(), memory.hostId(), token));
                pipeline.addLast(new Heartbeat());
                pipeline.addLast(new Answers());
            }
        }, why -> lastFailure = why, this::onClose);
    }

    /** The worker's address as configured, e.g. {@code 10.0.0.7:9090}. */
    public String label() {
        return label;
    }

    /**
     * From now on, the requests of a lost connection fail with {@link WorkerLostException} instead of waiting
     * for this worker to come back; a pool of several calls it before {@link #start()}.
     */
    void failOverOnLoss() {
        failOver = true;
    }

    /** The worker's latest STATUS on the current connection, or null while not connected or not reported yet. */
    WorkerStatus latestStatus() {
        return status.latest();
    }

    @Override
    public List<WorkerSnapshot> snapshots() {
        return List.of(new WorkerSnapshot(label, link != null, status.latest(), calls.size(), dispatched.get(),
                failures.get()));
    }

    /** Requests given to this worker since the front started, retries included. */
    long dispatched() {
        return dispatched.get();
    }

    /** Starts connecting in the background; {@link #isReady()} turns true after the handshake. */
    @Override
    public void start() {
        connector.start();
    }

    /** Whether the handshake with a worker is done and the connection is up. */
    @Override
    public boolean isReady() {
        return link != null;
    }

    /**
     * Why scaling cannot happen right now, or null when it can: the worker must be connected and report at least
     * one live child. Answers /readyz, and whether a sync upload is taken.
     */
    @Override
    public String unavailableReason() {
        if (link == null) {
            return "scale-worker " + label + " unreachable: " + lastFailure;
        }
        WorkerStatus latest = status.latest();
        if (latest == null) {
            return "scale-worker " + label + " connected; waiting for its first status report";
        }
        if (latest.alive() == 0) {
            return "scale-worker " + label + " has no live child process (0 of " + latest.configured() + "; "
                    + latest.restarts() + " restarts so far)";
        }
        return null;
    }

    @Override
    public Set<OutputFormat> encodable() {
        WorkerLink now = link;
        if (now == null) {
            return Set.of();
        }
        return Arrays.stream(OutputFormat.values()).filter(now.workerHello()::encodes)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(OutputFormat.class)));
    }

    /** Requests sent and not yet answered. */
    @Override
    public int inFlight() {
        return calls.size();
    }

    /**
     * Sends {@code order} to be scaled. The future fails with an {@link FrontException} when the worker refuses
     * the request, or when {@code timeoutMillis} passes first, whatever the connection does meanwhile. When the
     * worker shares memory with this front, the raster is first copied into a region on the caller's thread.
     */
    @Override
    public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
        dispatched.incrementAndGet();
        return calls.add(order, timeoutMillis,
                () -> link != null ? "" : " (the scale-worker is unreachable: " + lastFailure + ")", () -> link);
    }

    /**
     * Asks the worker for its pool status. Fails with {@link ErrorCode#WORKER_UNAVAILABLE} at once when not
     * connected, or when no answer comes within {@code timeout}.
     */
    @Override
    public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
        if (link == null) {
            return CompletableFuture.failedFuture(new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                    "the scale-worker is unreachable: " + lastFailure));
        }
        return status.fetch(timeout, () -> link);
    }

    /** The handshake on {@code channel} succeeded: the worker can take requests, and unanswered ones go to it. */
    private void onHandshake(Channel channel, HandshakeCompletionEvent handshake) {
        WorkerLink now = new WorkerLink(channel, handshake.peer(), handshake.sharesMemory());
        connector.handshaken();
        lastFailure = "";
        // Agreed before the link is published: a scale() that sees the link also sees whether to write a region.
        String rasters = memory.agreed(now.sharesMemory());
        link = now;
        log.info("connected to scale-worker {} at {}; rasters go {}", label, channel.remoteAddress(), rasters);
        calls.resendAll(now);
        status.poll(channel, () -> link);
    }

    /** A connection closed; if it was the handshaken one, its unanswered requests wait or move (see above). */
    private void onClose(Channel lost) {
        status.forget();
        WorkerLink was = link;
        if (was == null || was.channel() != lost) {
            return;
        }
        link = null;
        if (lastFailure.isEmpty()) {
            lastFailure = "the connection closed";
        }
        failures.incrementAndGet();
        if (failOver) {
            log.warn("lost the scale-worker at {}; moving its {} unanswered requests to another worker", label,
                    calls.size());
            calls.failAll(() -> new WorkerLostException("the scale-worker at " + label
                    + " was lost before it answered (" + lastFailure + ")"));
        } else {
            log.warn("lost the scale-worker at {}; {} requests will be sent again after reconnecting", label,
                    calls.size());
        }
    }

    @Override
    public void close() {
        link = null;
        connector.stop();
        calls.failAll(() -> new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                "the server is shutting down; try again shortly"));
    }

    /**
     * The end of each connection's pipeline: the handshake's outcome, then the worker's answers. Handshake and
     * heartbeat have been dealt with by the protocol's handlers before it. Event loop only.
     */
    private final class Answers extends SimpleChannelInboundHandler<Message> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof HandshakeCompletionEvent handshake && handshake.isSuccess()) {
                onHandshake(ctx.channel(), handshake);
            } else if (event instanceof HandshakeCompletionEvent handshake && handshake.refusal() != null) {
                refused(handshake.refusal());
            } else if (event instanceof HandshakeCompletionEvent handshake) {
                lastFailure = handshake.failure();
                log.warn("scale-worker {}: {}", label, lastFailure);
            } else if (event instanceof Heartbeat.PeerSilent) {
                lastFailure = "the worker stopped answering heartbeats";
                log.warn("scale-worker {} silent for {} s; reconnecting", label, HEARTBEAT.multipliedBy(3).toSeconds());
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message message) {
            if (message instanceof WorkerStatus report) {
                status.onStatus(report);
            } else if (message instanceof ScaleResult result) {
                calls.onResult(result);
            } else if (message instanceof ErrorMessage error && error.requestId() != ErrorMessage.CONNECTION) {
                calls.onError(error, link);
            } else if (message instanceof ErrorMessage error) {
                refused(error);
            }
        }

        /** The worker refused this connection (ERROR with request id 0), during the handshake or after it. */
        private void refused(ErrorMessage error) {
            lastFailure = HandshakeCompletionEvent.refusedBy(error);
            log.error("scale-worker refused the connection: {} {} ({})", error.code().label(), error.message(), label);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lastFailure = cause.toString();
            log.warn("scale-worker {} connection failed: {}", label, cause.toString());
            ctx.close();
        }
    }
}
