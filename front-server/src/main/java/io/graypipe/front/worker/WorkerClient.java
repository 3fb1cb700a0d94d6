package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Auth;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.Pong;
import io.graypipe.protocol.ProtocolHandlers;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.StatusRequest;
import io.graypipe.protocol.WorkerStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The front's connection to one scale-worker, at one address; a {@link WorkerPool} holds one per worker. Many
 * requests share it, matched by request id. If the connection drops, it reconnects with backoff. A lone worker's
 * unanswered requests are sent again once it is back, so a worker restart loses nothing; in a pool of several
 * ({@link #failOverOnLoss()}) they fail at once with {@link WorkerLostException}, and the pool moves them to
 * another worker. Each request still ends by its own deadline.
 *
 * <p>With {@code tls}, every connection runs the TLS handshake first (mutual: our certificate, the worker's checked
 * against the link's CA), and the protocol's HMAC handshake inside it.
 *
 * <p>When this front and the worker agree on shared memory (both HELLOs offer it with the same host id), each raster
 * of at least {@link SharedRegions#MIN_REGION_BYTES} is copied once into a {@link SharedRegions} region and the
 * request names the region instead of carrying the pixels; otherwise, and once more inline after a REGION_UNAVAILABLE, the pixels travel in the frame. The region is
 * deleted when the call ends, whatever the outcome; until then a resend after a reconnect names it again.
 *
 * <p>All connection state is confined to one event loop; {@link #scale} may be called from any thread.
 */
public final class WorkerClient implements Workers {
    private static final Logger log = LoggerFactory.getLogger(WorkerClient.class);
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final int HEARTBEAT_SECONDS = 5;
    private static final long STATUS_INTERVAL_MILLIS = 1_000;

    private final EventLoop loop;
    private final String label;
    private final Supplier<InetSocketAddress> address;
    /** The shared secret, asked for at each handshake: a rotated token file is used from the next connection. */
    private final Supplier<byte[]> token;
    private final int maxFrameBytes;
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<WorkerStatus>> statusCalls = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong nextStatusNonce = new AtomicLong(1);
    private final Consumer<Duration> transferTimes;
    /** Where rasters go when the worker shares memory with this front; null with --shared-memory off. */
    private final SharedRegions regions;
    private final Bootstrap bootstrap;
    private Channel channel;
    /** Whether the current connection's HELLOs agreed on shared memory; event loop only. */
    private boolean channelSharesMemory;
    /** The last handshake's agreement, read by {@link #scale} to decide whether a region is worth writing. */
    private volatile boolean workerSharesMemory = true;
    private boolean regionRefusalLogged;
    private volatile boolean ready;
    /** The HELLO of the worker on the current connection, once it proved itself: what it encodes. */
    private volatile Hello workerHello;
    private volatile String lastFailure = "not connected yet";
    /** The worker's latest pool snapshot on the current connection; null until the first one arrives. */
    private volatile WorkerStatus workerStatus;
    private long backoffMillis = 100;
    private boolean closed;
    /** Set by a pool of several workers before {@link #start()}: requests of a lost connection fail over. */
    private volatile boolean failOver;
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private static final class Call {
        /** The request with its pixels inline. */
        final ScaleRequest request;
        /** The region holding the same pixels, or null; owned by this call, deleted when it ends. */
        final String region;
        final CompletableFuture<ScaleResult> future = new CompletableFuture<>();
        final long createdNanos = System.nanoTime();
        /** The connection this call was last written to, so a reconnect knows what to resend. */
        Channel sentOn;
        /** Whether the last write named the region; event loop only. */
        boolean sentShared;
        /** The worker could not read the region: from now on the pixels go inline. Event loop only. */
        boolean regionRefused;

        Call(ScaleRequest request, String region) {
            this.request = request;
            this.region = region;
        }

        /** The request as a connection gets it: naming the region when that connection shares memory. */
        ScaleRequest requestFor(boolean sharesMemory) {
            if (!sharesMemory || region == null || regionRefused) {
                return request;
            }
            ImageData image = request.image();
            return request.withImage(ImageData.shared(image.format(), image.width(), image.height(), region));
        }
    }

    /**
     * @param label         the worker's address as the operator wrote it, for logs, metrics and /stats
     * @param tls           mutual TLS for the link, or null for plain TCP
     * @param transferTimes told, for each request, how long it took from {@link #scale} until the request was
     *                      completely written to the worker's socket (waiting for a connection included)
     * @param regions       this front's shared-memory regions, offered in its HELLO; null for none
     */
    public WorkerClient(EventLoopGroup group, String label, Supplier<InetSocketAddress> address, Supplier<byte[]> token,
                        int maxFrameBytes, SslContext tls, Consumer<Duration> transferTimes, SharedRegions regions) {
        // Seed the handshake's nonce generator here, on the caller's thread: the handshake runs on an event loop.
        Handshake.seed();
        this.loop = group.next();
        this.label = label;
        this.transferTimes = transferTimes;
        this.address = address;
        this.token = token;
        this.maxFrameBytes = maxFrameBytes;
        this.regions = regions;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new IdleStateHandler(HEARTBEAT_SECONDS * 3, HEARTBEAT_SECONDS, 0));
                        ProtocolHandlers.install(ch.pipeline(), WorkerClient.this.maxFrameBytes);
                        ch.pipeline().addLast(new Handler());
                    }
                });
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
        return workerStatus;
    }

    @Override
    public List<WorkerSnapshot> snapshots() {
        return List.of(new WorkerSnapshot(label, ready, workerStatus, calls.size(), dispatched.get(), failures.get()));
    }

    /** Requests given to this worker since the front started, retries included. */
    long dispatched() {
        return dispatched.get();
    }

    /** Starts connecting in the background; {@link #isReady()} turns true after the handshake. */
    @Override
    public void start() {
        loop.execute(this::connect);
    }

    /** Whether the handshake with a worker is done and the connection is up. */
    @Override
    public boolean isReady() {
        return ready;
    }

    /**
     * Why scaling cannot happen right now, or null when it can: the worker must be connected and report at least
     * one live child. Answers /readyz, and whether a sync upload is taken.
     */
    @Override
    public String unavailableReason() {
        if (!ready) {
            return "scale-worker " + label + " unreachable: " + lastFailure;
        }
        WorkerStatus status = workerStatus;
        if (status == null) {
            return "scale-worker " + label + " connected; waiting for its first status report";
        }
        if (status.alive() == 0) {
            return "scale-worker " + label + " has no live child process (0 of " + status.configured() + "; "
                    + status.restarts() + " restarts so far)";
        }
        return null;
    }

    @Override
    public Set<OutputFormat> encodable() {
        Hello hello = workerHello;
        if (!ready || hello == null) {
            return Set.of();
        }
        return Arrays.stream(OutputFormat.values()).filter(hello::encodes)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(OutputFormat.class)));
    }

    /** Requests sent and not yet answered. */
    @Override
    public int inFlight() {
        return calls.size();
    }

    /**
     * Sends {@code image} to be scaled. The future fails with an {@link FrontException} when the worker refuses
     * the request, or when {@code timeoutMillis} passes first, whatever the connection does meanwhile. When the
     * worker shares memory with this front, the raster is first copied into a region on the caller's thread.
     */
    @Override
    public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
        long id = nextId.getAndIncrement();
        dispatched.incrementAndGet();
        String region = regions != null && workerSharesMemory
                && order.image().byteCount() >= SharedRegions.MIN_REGION_BYTES ? writeRegion(order.image()) : null;
        Call call = new Call(new ScaleRequest(id, order.targetWidth(), order.targetHeight(), order.format(),
                order.quality(), timeoutMillis, order.mode(), order.ops(), order.image(), order.lossless()), region);
        if (region != null) {
            call.future.whenComplete((result, error) -> regions.release(region));
        }
        calls.put(id, call);
        // The timer looks the call up by id rather than capturing it, and is cancelled once the call ends:
        // otherwise every raster would stay reachable from the timer queue for the whole timeout.
        io.netty.util.concurrent.ScheduledFuture<?> timer = loop.schedule(() -> {
            Call expired = calls.remove(id);
            if (expired != null) {
                expired.future.completeExceptionally(new FrontException(ErrorCode.DEADLINE_EXCEEDED,
                        "the image was not scaled within " + timeoutMillis + " ms; try again, or a smaller image"
                                + (ready ? "" : " (the scale-worker is unreachable: " + lastFailure + ")")));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        call.future.whenComplete((result, error) -> timer.cancel(false));
        loop.execute(() -> send(call));
        return call.future;
    }

    /**
     * Asks the worker for its pool status. Fails with {@link ErrorCode#WORKER_UNAVAILABLE} at once when not
     * connected, or when no answer comes within {@code timeout}.
     */
    @Override
    public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
        CompletableFuture<WorkerStatus> answer = new CompletableFuture<>();
        if (!ready) {
            answer.completeExceptionally(new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                    "the scale-worker is unreachable: " + lastFailure));
            return answer;
        }
        long nonce = nextStatusNonce.getAndIncrement();
        statusCalls.put(nonce, answer);
        loop.schedule(() -> {
            if (statusCalls.remove(nonce) != null) {
                answer.completeExceptionally(new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                        "the scale-worker did not report its status within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        loop.execute(() -> {
            if (ready) {
                channel.writeAndFlush(new StatusRequest(nonce), channel.voidPromise());
            }
        });
        return answer;
    }

    /** A region holding {@code image}'s pixels, or null (then they go inline) when it cannot be written. */
    private String writeRegion(ImageData image) {
        try {
            return regions.write(image);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot write a shared-memory region in {}, sending the pixels inline: {}", regions.directory(),
                    e.toString());
            return null;
        }
    }

    private void send(Call call) {
        if (ready && call.sentOn != channel && calls.containsKey(call.request.requestId())) {
            write(call);
            channel.flush();
        }
    }

    private void write(Call call) {
        // A resend after a reconnect is not a second transfer of the same image to time.
        boolean firstAttempt = call.sentOn == null;
        call.sentOn = channel;
        ScaleRequest request = call.requestFor(channelSharesMemory);
        call.sentShared = request.image().isShared();
        channel.write(request).addListener(written -> {
            if (written.isSuccess() && firstAttempt) {
                transferTimes.accept(Duration.ofNanos(System.nanoTime() - call.createdNanos));
            }
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        InetSocketAddress target;
        try {
            target = address.get();
        } catch (RuntimeException e) {
            lastFailure = e.getMessage();
            scheduleReconnect();
            return;
        }
        bootstrap.connect(target).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                lastFailure = "cannot connect to " + target + ": " + future.cause().getMessage();
                scheduleReconnect();
                return;
            }
            channel = future.channel();
            channel.closeFuture().addListener(f -> onDisconnect(future.channel()));
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        loop.schedule(this::connect, backoffMillis, TimeUnit.MILLISECONDS);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    private void onDisconnect(Channel lost) {
        if (lost != channel) {
            return;
        }
        boolean wasReady = ready;
        ready = false;
        workerStatus = null;
        channel = null;
        if (wasReady) {
            if (lastFailure.isEmpty()) {
                lastFailure = "the connection closed";
            }
            failures.incrementAndGet();
            if (failOver) {
                log.warn("lost the scale-worker at {}; moving its {} unanswered requests to another worker",
                        label, calls.size());
                handOverCalls();
            } else {
                log.warn("lost the scale-worker at {}; {} requests will be sent again after reconnecting", label,
                        calls.size());
            }
        }
        scheduleReconnect();
    }

    /** Fails every unanswered request with {@link WorkerLostException}, so that the pool sends it elsewhere. */
    private void handOverCalls() {
        for (Long id : calls.keySet()) {
            Call call = calls.remove(id);
            if (call != null) {
                call.future.completeExceptionally(new WorkerLostException("the scale-worker at " + label
                        + " was lost before it answered (" + lastFailure + ")"));
            }
        }
    }

    private void onHandshake(boolean sharesMemory) {
        ready = true;
        backoffMillis = 100;
        lastFailure = "";
        channelSharesMemory = sharesMemory;
        workerSharesMemory = sharesMemory;
        log.info("connected to scale-worker {} at {}; rasters go {}", label, channel.remoteAddress(),
                sharesMemory ? "through shared memory in " + regions.directory() : "inline");
        calls.values().forEach(call -> {
            if (call.sentOn != channel) {
                write(call);
            }
        });
        channel.flush();
        requestStatus(channel);
    }

    /** Asks for the pool's status now and every second after, for as long as {@code connection} is open. */
    private void requestStatus(Channel connection) {
        if (connection != channel || !connection.isActive()) {
            return;
        }
        // Nonce 0 is never used by fetchStatus: this answer only refreshes the cached status.
        connection.writeAndFlush(new StatusRequest(0), connection.voidPromise());
        loop.schedule(() -> requestStatus(connection), STATUS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void onAnswer(Message message) {
        if (message instanceof WorkerStatus status) {
            workerStatus = status;
            CompletableFuture<WorkerStatus> call = statusCalls.remove(status.nonce());
            if (call != null) {
                call.complete(status);
            }
        } else if (message instanceof ScaleResult result) {
            Call call = calls.remove(result.requestId());
            if (call != null) {
                call.future.complete(result);
            }
        } else if (message instanceof ErrorMessage error && error.requestId() != ErrorMessage.CONNECTION) {
            Call call = calls.get(error.requestId());
            if (call != null && error.code() == io.graypipe.protocol.ErrorCode.REGION_UNAVAILABLE && call.sentShared) {
                resendInline(call, error);
            } else if (call != null && calls.remove(error.requestId(), call)) {
                call.future.completeExceptionally(WorkerErrors.toFrontException(error));
            }
        } else if (message instanceof ErrorMessage error) {
            lastFailure = "the worker closed the connection: " + error.code().label() + ": " + error.message();
            log.error("scale-worker refused the connection: {} {}", error.code().label(), error.message());
        }
    }

    /** The worker could not read the call's region: send the pixels once more, inline (PROTOCOL.md). */
    private void resendInline(Call call, ErrorMessage error) {
        if (!regionRefusalLogged) {
            regionRefusalLogged = true;
            log.warn("the scale-worker could not read shared-memory region {} ({}); sending such requests again inline",
                    call.region, error.message());
        }
        call.regionRefused = true;
        if (ready) {
            write(call);
            channel.flush();
        } // else the next handshake resends it, inline
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closed = true;
            ready = false;
            if (channel != null) {
                channel.close();
            }
        });
        calls.values().forEach(call -> call.future.completeExceptionally(
                new FrontException(ErrorCode.WORKER_UNAVAILABLE, "the server is shutting down; try again shortly")));
        calls.clear();
    }

    /**
     * One connection's protocol: the handshake of PROTOCOL.md (our HELLO, the worker's HELLO, our AUTH proof, the
     * worker's AUTH proof), then answers. Its fields are touched only on the connection's event loop.
     */
    private final class Handler extends SimpleChannelInboundHandler<Message> {
        private Hello ourHello;
        private Hello workerHello;
        /** The secret this connection's handshake uses, taken once so both proofs use the same one. */
        private byte[] secret;
        private boolean handshaken;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ourHello = regions != null
                    ? Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, regions.hostId())
                    : Hello.current(Hello.Role.FRONT, 0, "");
            ctx.writeAndFlush(ourHello, ctx.voidPromise());
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message message) {
            if (!handshaken) {
                handshake(ctx, message);
            } else if (message instanceof Ping ping) {
                ctx.writeAndFlush(new Pong(ping.nonce()), ctx.voidPromise());
            } else if (!(message instanceof Pong)) {
                onAnswer(message);
            }
        }

        private void handshake(ChannelHandlerContext ctx, Message message) {
            if (workerHello == null && message instanceof Hello hello && hello.role() == Hello.Role.WORKER) {
                workerHello = hello;
                secret = token.get();
                ctx.writeAndFlush(Handshake.proof(secret, Hello.Role.FRONT, ourHello, workerHello), ctx.voidPromise());
            } else if (workerHello != null && message instanceof Auth proof) {
                if (Handshake.verify(secret, Hello.Role.WORKER, ourHello, workerHello, proof)) {
                    handshaken = true;
                    WorkerClient.this.workerHello = workerHello;
                    onHandshake(ourHello.sharesMemoryWith(workerHello));
                } else {
                    lastFailure = "the worker at " + ctx.channel().remoteAddress()
                            + " does not hold the shared secret; no image was sent to it";
                    log.warn(lastFailure);
                    ctx.close();
                }
            } else {
                onAnswer(message);
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.READER_IDLE) {
                    lastFailure = "the worker stopped answering heartbeats";
                    log.warn("scale-worker silent for {} s; reconnecting", HEARTBEAT_SECONDS * 3);
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(new Ping(System.nanoTime()), ctx.voidPromise());
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lastFailure = cause.toString();
            log.warn("scale-worker connection failed: {}", cause.toString());
            ctx.close();
        }
    }
}
