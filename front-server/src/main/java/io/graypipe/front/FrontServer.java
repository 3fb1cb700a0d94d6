package io.graypipe.front;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.ApiKeys;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.http.BatchUploads;
import io.graypipe.front.http.HttpPipelineInitializer;
import io.graypipe.front.http.Observability;
import io.graypipe.front.http.OpenConnections;
import io.graypipe.front.observe.FrontMetrics;
import io.graypipe.front.image.ShrinkOnLoadDecoder;
import io.graypipe.front.image.CodecLibraries;
import io.graypipe.front.observe.FormatsReport;
import io.graypipe.front.image.TurboJpegLibrary;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.cache.DiskCache;
import io.graypipe.front.cache.RedisCache;
import io.graypipe.front.cache.ResultCache;
import io.graypipe.front.pipeline.FairQueue;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ResultKeys;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.LocalTasks;
import io.graypipe.front.pipeline.SharedTasks;
import io.graypipe.front.config.StoreAddress;
import io.graypipe.front.store.redis.RedisConnections;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.DataDirTaskStore;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.LocalWorker;
import io.graypipe.front.worker.WorkerClient;
import io.graypipe.front.worker.ResolvedAddress;
import io.graypipe.front.worker.SharedRegions;
import io.graypipe.front.worker.FairDispatch;
import io.graypipe.front.worker.WorkerPool;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.SecretFile;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.DiskAttribute;
import io.netty.handler.codec.http.multipart.DiskFileUpload;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The running front: HTTP listeners on every requested address, the gray and upload executors, the task store,
 * and the connections to the scale-workers (one started here unless {@code --worker} names others).
 */
public final class FrontServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrontServer.class);
    /**
     * How long one Redis command may take before it counts as Redis unavailable. A Redis that refuses or drops
     * connections is noticed at once; this bounds only a silent one (a partition). Generous, because one command
     * may carry a 50 MiB upload, and on a loaded machine a 23 MB GET was measured at 4.7 s even with redis-cli.
     */
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
    /** Put before every key, so several clusters can share one Redis. */
    private static final String STORE_PREFIX = "graypipe:";
    /** How long a cache lookup waits for Redis before it counts as a miss. */
    private static final Duration CACHE_TIMEOUT = Duration.ofSeconds(1);
    /** How long the 503 answers of requests still under way after the grace period get to be written. */
    private static final Duration ANSWER_FLUSH = Duration.ofSeconds(2);

    private final FrontConfig config;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final ThreadPoolExecutor grayExecutor;
    /** Gray images handed to the workers and not yet answered (--worker-in-flight); taken in the gray queue. */
    private final Semaphore workerSlots;
    private final ThreadPoolExecutor uploadExecutor;
    private final ThreadPoolExecutor storageExecutor;
    private final ScheduledExecutorService housekeeping;
    private final TaskRegistry tasks;
    private final DataDirTaskStore taskFiles;
    private DurableTasks durableTasks;
    /** With --store: async tasks in Redis, shared with the other fronts. */
    private SharedTasks sharedTasks;
    private final LocalWorker localWorker;
    /** The secret of the worker this front starts, handed to it on stdin; null without one. */
    private final String localToken;
    private final Workers workers;
    /** libturbojpeg for this front's decoder and its local worker's encoder; empty when it could not be loaded. */
    private final Optional<TurboJpeg> turboJpeg;
    /** libwebp and libavif: AVIF uploads are decoded here, and the local worker encodes with both. */
    private final CodecLibraries codecs;
    /** This front's shared-memory regions; null when rasters go inline. */
    private final SharedRegions regions;
    /** Set once the server runs; the worker client, made earlier, reports transfer times through it. */
    private volatile FrontMetrics metrics;
    private final List<Channel> listeners = new ArrayList<>();
    private ResultCache resultCache = ResultCache.off();
    /** The key file of --api-keys, or null. */
    private final ApiKeys apiKeys;
    private final RateLimits rateLimits;
    /** Set once the server runs: the client connections, drained on shutdown. */
    private volatile OpenConnections connections;

    private FrontServer(FrontConfig config) throws Exception {
        this.config = config;
        // Temporary upload files are deleted by the code that owns them, not kept in a JVM-wide exit list.
        DiskFileUpload.deleteOnExitTemporaryFile = false;
        DiskAttribute.deleteOnExitTemporaryFile = false;
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("graypipe-accept"),
                NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("graypipe-http"),
                NioIoHandler.newFactory());
        workerSlots = new Semaphore(config.worker().inFlight());
        // Clients share the gray threads by deficit round robin (docs/many-users.md), not first come, first served.
        grayExecutor = new ThreadPoolExecutor(config.processing().grayThreads(), config.processing().grayThreads(), 0, TimeUnit.MILLISECONDS,
                new FairQueue(config.processing().queueSize(), config.access().clientInFlight(), config.access().fifo(),
                        this::queueWaited, config.access().fifo() ? null : workerSlots),
                new DefaultThreadFactory("graypipe-gray"));
        // Every task goes through the queue (none is handed to a starting thread), so each takes its slot there.
        grayExecutor.prestartAllCoreThreads();
        // Each body in progress holds at most one task here (UploadReceiver drains its chunks serially), so the
        // bounded queue bounds the bodies being received; past it an upload gets 503 overloaded.
        uploadExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.processing().queueSize() * 4), new DefaultThreadFactory("graypipe-upload"));
        housekeeping = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("graypipe-housekeeping", true));
        // Bounded like the gray queue: a slow disk makes async uploads wait for room, then get 503, never pile up.
        storageExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.processing().queueSize() * 2), new DefaultThreadFactory("graypipe-storage"));
        tasks = new TaskRegistry(Clock.systemUTC(), config.timeouts().resultTtl());
        taskFiles = openDataDir(config);

        regions = SharedRegions.open(config.worker().sharedMemory()).orElse(null);
        turboJpeg = TurboJpegLibrary.load(config.processing().turbojpegLibrary());
        codecs = CodecLibraries.load(config.processing().webpLibrary(), config.processing().avifLibrary());
        if (config.worker().local()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            localToken = HexFormat.of().formatHex(random);
            localWorker = LocalWorker.start(config.worker().processes(), config.worker().mode().label(),
                    config.worker().jvmOptions(), config.worker().maxFrameBytes(), localToken,
                    config.worker().sharedMemory(), codecFlags());
        } else {
            localToken = null;
            localWorker = null;
        }

        // Rasters wait for a free worker child in the front, shared fairly between clients (docs/many-users.md);
        // --fifo-queue sends each at once, to wait in the worker's own first-come queue, as before.
        WorkerPool pool = new WorkerPool(connectWorkers(config));
        workers = config.access().fifo() ? pool : new FairDispatch(pool);
        apiKeys = config.access().apiKeys() != null ? ApiKeys.open(config.access().apiKeys()) : null;
        rateLimits = config.storage().store() != null
                ? RateLimits.shared(config.storage().store().uri(), STORE_TIMEOUT, STORE_PREFIX) : RateLimits.local();
    }

    /**
     * One connection per {@code --worker}, with the token file's secret and the link's TLS, plus one to a worker
     * this front starts (without {@code --worker}, or with {@code --local-worker}), with a fresh secret it hands
     * the worker on stdin.
     */
    /** The local worker's codec library flags: the libraries this front loaded, by name, else "off". */
    private List<String> codecFlags() {
        List<String> flags = new ArrayList<>(List.of("--turbojpeg-library", turboJpeg.map(TurboJpeg::library).orElse("off")));
        flags.addAll(codecs.workerFlags());
        return flags;
    }

    private List<WorkerClient> connectWorkers(FrontConfig config) throws IOException {
        FrontConfig.Worker settings = config.worker();
        List<WorkerClient> connections = new ArrayList<>();
        if (!settings.addresses().isEmpty()) {
            // Read again every second, off the event loops: a rotated secret is used by the next connection, with
            // no restart (docs/scale-out.md, "Rotating the worker-link secret").
            SecretFile token = SecretFile.open(settings.tokenFile());
            housekeeping.scheduleWithFixedDelay(() -> {
                if (token.refresh()) {
                    log.info("worker token file {} changed: new connections to workers present the new secret",
                            token.path());
                }
            }, 1, 1, TimeUnit.SECONDS);
            SslContext tls = settings.tls() != null ? settings.tls().clientContext() : null;
            for (InetSocketAddress address : settings.addresses()) {
                connections.add(new WorkerClient(ioGroup, address.getHostString() + ":" + address.getPort(),
                        new ResolvedAddress(address, housekeeping), token::secret, settings.maxFrameBytes(), tls,
                        this::transferred, regions));
            }
        }
        if (localWorker != null) {
            byte[] secret = localToken.getBytes(StandardCharsets.UTF_8);
            connections.add(new WorkerClient(ioGroup, "local", localWorker::address, secret::clone,
                    settings.maxFrameBytes(), null, this::transferred,
                    regions));
        }
        return connections;
    }

    /**
     * Connects to the Redis of --store (fails the start when it cannot be reached: a front that cannot take async
     * tasks should not join the rotation) and makes this front one consumer of the shared work queue, under a name
     * no other process uses.
     */
    private SharedTasks openStore(FrontConfig config, ImagePipeline pipeline) throws IOException {
        StoreAddress store = config.storage().store();
        RedisConnections redis = RedisConnections.open(store.uri(), STORE_TIMEOUT, STORE_PREFIX);
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String consumer = InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
        int slots = Math.min(config.processing().queueSize(),
                config.processing().grayThreads() + config.worker().inFlight());
        log.info("async tasks in {} as consumer {}, running up to {} at once", store.location(), consumer, slots);
        return new SharedTasks(redis, store.location(), consumer, config.storage().claimIdle(), tasks, pipeline,
                workers, storageExecutor, housekeeping, config.timeouts().request(), slots);
    }

    /** Queue waits arrive from the gray queue, which exists before the metrics do. */
    private void queueWaited(ClientId client, long nanos) {
        FrontMetrics current = metrics;
        if (current != null) {
            current.clients().queueWait(client, nanos);
        }
    }

    /** Reads the key file again now (SIGHUP); without one, nothing. */
    public void reloadKeys() {
        if (apiKeys != null) {
            apiKeys.reload();
        }
    }

    /** Transfer times arrive from the worker client, which exists before the metrics do. */
    private void transferred(Duration took) {
        FrontMetrics current = metrics;
        if (current != null) {
            current.transferred(took);
        }
    }

    /**
     * Locks the data directory. The default one may be held by another front on the same machine; then this one
     * uses a fresh directory of its own rather than share, and says so. A directory given with --data-dir is never
     * replaced: two fronts on one directory would run each other's tasks.
     */
    private static DataDirTaskStore openDataDir(FrontConfig config) throws IOException {
        try {
            return DataDirTaskStore.open(config.storage().dataDir(), config.storage().maxDataBytes());
        } catch (DataDirTaskStore.DataDirInUseException e) {
            if (config.storage().dataDirGiven()) {
                throw e;
            }
            Path own = Files.createTempDirectory("graypipe-data-");
            log.warn("{}; using {} instead, whose tasks the next start will not find (pass --data-dir to choose)",
                    e.getMessage(), own);
            return DataDirTaskStore.open(own, config.storage().maxDataBytes());
        }
    }

    /** The result cache: off with --cache-size 0, in Redis with --store, else in {@code DATA_DIR/cache}. */
    private static ResultCache openCache(FrontConfig config, Path dataDir) throws IOException {
        long size = config.caching().maxBytes();
        if (size == 0) {
            return ResultCache.off();
        }
        StoreAddress store = config.storage().store();
        if (store != null) {
            log.info("result cache in {}: {} bytes, entries unused for {} expire", store.location(), size,
                    config.caching().ttl());
            return RedisCache.open(store.uri(), STORE_PREFIX, size, config.caching().ttl(), CACHE_TIMEOUT);
        }
        return DiskCache.open(dataDir.resolve("cache"), size);
    }

    public static FrontServer start(FrontConfig config) throws Exception {
        FrontServer server = new FrontServer(config);
        try {
            server.run();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void run() throws Exception {
        if (localWorker != null) {
            localWorker.awaitAddress();
        }
        workers.start();
        Files.createDirectories(config.uploads().dir());
        DefaultHttpDataFactory dataFactory = new DefaultHttpDataFactory(config.uploads().memoryThreshold());
        dataFactory.setMaxLimit(config.uploads().maxBytes());
        dataFactory.setBaseDir(config.uploads().dir().toString());
        dataFactory.setDeleteOnExit(false);
        ShrinkOnLoadDecoder decoder = ShrinkOnLoadDecoder.create(new ImageLimits(config.processing().maxPixels(),
                config.processing().maxDimension()), config.processing().exactScaling(), turboJpeg, codecs.avif());
        resultCache = openCache(config, taskFiles.root());
        ImagePipeline pipeline = new ImagePipeline(decoder, workers, tasks, grayExecutor, workerSlots,
                !config.access().fifo(), config.timeouts().request(), resultCache,
                new ResultKeys(config.processing().exactScaling(), decoder.jpegDecoder()));
        metrics = new FrontMetrics(tasks, () -> grayExecutor.getQueue().size(), workers, Clock.systemUTC(),
                decoder.jpegDecoder(), regions);
        metrics.watch(resultCache);
        durableTasks = new DurableTasks(taskFiles, tasks, pipeline, storageExecutor, housekeeping,
                config.timeouts().request());
        if (config.storage().store() != null) {
            sharedTasks = openStore(config, pipeline);
        }
        AsyncTasks asyncTasks;
        if (sharedTasks != null) {
            asyncTasks = sharedTasks;
        } else {
            BatchStore batches = new BatchStore(Clock.systemUTC(), config.timeouts().resultTtl());
            housekeeping.scheduleWithFixedDelay(batches::sweep, 30, 30, TimeUnit.SECONDS);
            asyncTasks = new LocalTasks(durableTasks, tasks, batches);
        }
        Observability observability = new Observability(metrics, () -> grayExecutor.getQueue().size(),
                new BatchUploads(asyncTasks),
                () -> FormatsReport.of(codecs.avif().isPresent(), codecs.encodable(), workers.encodable()));
        if (sharedTasks != null) {
            sharedTasks.start();
        } else {
            durableTasks.recover();
        }
        housekeeping.scheduleWithFixedDelay(tasks::failOverdue, 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(rateLimits::sweep, 60, 60, TimeUnit.SECONDS);
        if (apiKeys != null) {
            housekeeping.scheduleWithFixedDelay(apiKeys::reloadIfChanged, 2, 2, TimeUnit.SECONDS);
        }
        housekeeping.scheduleWithFixedDelay(tasks::sweep, 30, 30, TimeUnit.SECONDS);

        HttpPipelineInitializer http = new HttpPipelineInitializer(config, pipeline, tasks, workers, dataFactory,
                uploadExecutor, observability, new AccessControl(apiKeys, config.access()), rateLimits);
        connections = http.openConnections();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(http);
        int port = config.listen().port();
        for (InetAddress address : bindAddresses(config.listen().host())) {
            io.netty.channel.ChannelFuture bound = bootstrap.bind(new InetSocketAddress(address, port)).await();
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

    /** The addresses the HTTP server listens on. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /**
     * Whether a sync upload would be taken now, as {@code /readyz} says: a worker is connected and has reported a
     * live child. Being connected is not enough: until its first status report, sync uploads get 503.
     */
    public boolean workerReady() {
        return workers.unavailableReason() == null;
    }

    /** The data directory in use, which may differ from the configured one (see {@link #openDataDir}). */
    public Path dataDir() {
        return taskFiles.root();
    }

    /**
     * Stops accepting connections; gives every request under way (being received or processed) the shutdown grace
     * period to be answered, each with {@code Connection: close}; then answers the rest with 503; leaves async
     * tasks on disk for the next start; stops the worker this front started, and the event loops. The executors
     * stop only after every request is answered, so no upload is cut off mid-body. Safe to call once the
     * constructor ran, whether or not {@link #run} did.
     */
    @Override
    public void close() {
        listeners.forEach(channel -> channel.close().syncUninterruptibly());
        if (durableTasks != null) {
            durableTasks.stopping();
        }
        if (sharedTasks != null) {
            sharedTasks.stopping();
        }
        // A connection accepted just before its listener closed is registered on an I/O loop by a task queued
        // there; once each loop ran a task queued after it, every accepted connection is known to the drain.
        ioGroup.forEach(loop -> loop.submit(() -> { }).syncUninterruptibly());
        OpenConnections open = connections;
        if (open != null) {
            open.drain(config.timeouts().shutdownGrace());
        }
        for (Task task : tasks.unfinished()) {
            if (!task.durable()) {
                task.fail(new FrontException(ErrorCode.WORKER_UNAVAILABLE, "the server is shutting down; try again shortly"));
            }
        }
        if (open != null) {
            open.refuseRest(ANSWER_FLUSH);
        }
        grayExecutor.shutdownNow();
        uploadExecutor.shutdownNow();
        housekeeping.shutdownNow();
        storageExecutor.shutdown();
        try {
            // Writes under way finish, so no accepted upload is cut short; they are small and bounded.
            if (!storageExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
                storageExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.close();
        if (regions != null) {
            regions.close();
        }
        if (localWorker != null) {
            localWorker.stop(config.timeouts().shutdownGrace());
        }
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (sharedTasks != null) {
            sharedTasks.close();
        }
        resultCache.close();
        if (rateLimits != null) {
            rateLimits.close();
        }
        taskFiles.close();
        log.info("front stopped");
    }
}
