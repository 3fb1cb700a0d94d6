package io.graypipe.front;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.ApiKeys;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.cache.DiskCache;
import io.graypipe.front.cache.RedisCache;
import io.graypipe.front.cache.ResultCache;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.config.StoreAddress;
import io.graypipe.front.http.BatchUploads;
import io.graypipe.front.http.HttpPipelineInitializer;
import io.graypipe.front.http.Observability;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ShrinkOnLoadDecoder;
import io.graypipe.front.observe.FormatsReport;
import io.graypipe.front.observe.FrontMetrics;
import io.graypipe.front.observe.MetricsExport;
import io.graypipe.front.observe.WorkerMetrics;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ResultKeys;
import io.graypipe.front.task.DataDirTaskStore;
import io.graypipe.front.task.TaskRegistry;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.DiskAttribute;
import io.netty.handler.codec.http.multipart.DiskFileUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything a front is made of, built once from its {@link FrontConfig} and never changed: the threads, the task
 * registry and storage, the result cache, the workers, access control, the metrics and the HTTP pipeline that
 * ties them together. Building starts the local worker and connects to Redis, but listens on nothing and runs no
 * task; {@link FrontServer#start} starts the front from this value, and stops it.
 */
record FrontComponents(FrontConfig config, FrontExecutors executors, TaskRegistry tasks, TaskStorage storage,
                       FrontWorkers workers, ResultCache cache, ApiKeys apiKeys, RateLimits rateLimits,
                       HttpPipelineInitializer http) {
    private static final Logger log = LoggerFactory.getLogger(FrontComponents.class);
    /**
     * How long one Redis command may take before it counts as Redis unavailable. A Redis that refuses or drops
     * connections is noticed at once; this bounds only a silent one (a partition). Generous, because one command
     * may carry a 50 MiB upload, and on a loaded machine a 23 MB GET was measured at 4.7 s even with redis-cli.
     */
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
    /** Put before every key, so several clusters can share one Redis. */
    static final String STORE_PREFIX = "graypipe:";
    /** How long a cache lookup waits for Redis before it counts as a miss. */
    private static final Duration CACHE_TIMEOUT = Duration.ofSeconds(1);

    /** Builds every component; on failure, stops what was built and throws. */
    static FrontComponents build(FrontConfig config) throws Exception {
        // Temporary upload files are deleted by the code that owns them, not kept in a JVM-wide exit list.
        DiskFileUpload.deleteOnExitTemporaryFile = false;
        DiskAttribute.deleteOnExitTemporaryFile = false;
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            Clock clock = Clock.systemUTC();
            TaskRegistry tasks = new TaskRegistry(clock, config.timeouts().resultTtl());
            FrontMetrics metrics = new FrontMetrics(tasks, clock);
            FrontExecutors executors = FrontExecutors.create(config, metrics.clients()::queueWait);
            undo.push(() -> {
                executors.stopWork();
                executors.stopEventLoops();
            });
            DataDirTaskStore files = TaskStorage.openDataDir(config);
            undo.push(files::close);
            FrontWorkers workers = FrontWorkers.open(config, executors, metrics::transferred);
            undo.push(() -> workers.close(config.timeouts().shutdownGrace()));
            ApiKeys apiKeys = config.access().apiKeys() != null ? ApiKeys.open(config.access().apiKeys()) : null;
            StoreAddress store = config.storage().store();
            RateLimits rateLimits = store != null
                    ? RateLimits.shared(store.uri(), STORE_TIMEOUT, STORE_PREFIX) : RateLimits.local();
            undo.push(rateLimits::close);

            ShrinkOnLoadDecoder decoder = ShrinkOnLoadDecoder.create(new ImageLimits(config.processing().maxPixels(),
                            config.processing().maxDimension()), config.processing().exactScaling(),
                    workers.turboJpeg(), workers.codecs().avif());
            ResultCache cache = openCache(config, files.root());
            undo.push(cache::close);
            ImagePipeline pipeline = new ImagePipeline(decoder, workers.pool(), tasks, executors.gray(),
                    executors.workerSlots(), !config.access().fifo(), config.timeouts().request(), cache,
                    new ResultKeys(config.processing().exactScaling(), decoder.jpegDecoder()));
            TaskStorage storage = TaskStorage.open(config, files, tasks, pipeline, workers.pool(), executors);
            undo.push(() -> {
                if (storage.shared() != null) {
                    storage.shared().close();
                }
            });

            MetricsExport export = new MetricsExport(metrics,
                    new WorkerMetrics(metrics, workers.pool(), executors::grayQueueDepth), decoder.jpegDecoder(),
                    workers.regions(), cache);
            Observability observability = new Observability(export, new BatchUploads(storage.asyncTasks()),
                    () -> FormatsReport.of(workers.codecs().avif().isPresent(), workers.codecs().encodable(),
                            workers.pool().encodable()));
            HttpPipelineInitializer http = new HttpPipelineInitializer(config, pipeline, tasks, workers.pool(),
                    uploadDataFactory(config), executors.upload(), observability,
                    new AccessControl(apiKeys, config.access()), rateLimits);
            return new FrontComponents(config, executors, tasks, storage, workers, cache, apiKeys, rateLimits, http);
        } catch (Exception | Error e) {
            undo.forEach(Runnable::run);
            throw e;
        }
    }

    /** Where upload bodies go: memory up to the threshold, then a file in the upload directory. */
    private static DefaultHttpDataFactory uploadDataFactory(FrontConfig config) throws IOException {
        Files.createDirectories(config.uploads().dir());
        DefaultHttpDataFactory dataFactory = new DefaultHttpDataFactory(config.uploads().memoryThreshold());
        dataFactory.setMaxLimit(config.uploads().maxBytes());
        dataFactory.setBaseDir(config.uploads().dir().toString());
        dataFactory.setDeleteOnExit(false);
        return dataFactory;
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
}
