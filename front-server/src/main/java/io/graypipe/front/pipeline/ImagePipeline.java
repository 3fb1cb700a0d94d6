package io.graypipe.front.pipeline;

import io.graypipe.front.cache.CacheKey;
import io.graypipe.front.cache.CachePolicy;
import io.graypipe.front.cache.CachedImage;
import io.graypipe.front.cache.ResultCache;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.image.LoadedImage;
import io.graypipe.front.image.ShrinkOnLoadDecoder;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.StageClock;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskCache;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.ScaleOrder;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.OutputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task: decode to gray on the bounded gray executor, then hand the raster to the scale-worker.
 *
 * <p>A gray thread takes a worker slot before it decodes, so at most {@code workerSlots} rasters exist at once:
 * when the worker is the bottleneck, decoding waits instead of piling rasters up in the heap.
 *
 * <p>Every task, sync or async, looks in the result cache first (issue 21): the gray thread hashes the upload
 * into its {@link CacheKey}, and a hit goes straight to the task's sink, with no decode, scale or encode. A miss
 * runs as before, and its result is stored in the background.
 */
public final class ImagePipeline {
    private static final Logger log = LoggerFactory.getLogger(ImagePipeline.class);

    private final ShrinkOnLoadDecoder decoder;
    private final Workers worker;
    private final TaskRegistry tasks;
    private final ExecutorService grayExecutor;
    private final Semaphore workerSlots;
    /** Whether the gray queue hands out each task with its worker slot already taken ({@link FairQueue}). */
    private final boolean slotTakenByQueue;
    private final Duration requestTimeout;
    private final ResultCache cache;
    private final ResultKeys keys;

    /** A pipeline without a result cache. */
    public ImagePipeline(ShrinkOnLoadDecoder decoder, Workers worker, TaskRegistry tasks, ExecutorService grayExecutor,
                         int workerSlots, Duration requestTimeout) {
        this(decoder, worker, tasks, grayExecutor, new Semaphore(workerSlots), false, requestTimeout, ResultCache.off(),
                new ResultKeys(false, decoder.jpegDecoder()));
    }

    /** @param slotTakenByQueue whether {@code grayExecutor}'s queue takes a slot of {@code workerSlots} per task */
    public ImagePipeline(ShrinkOnLoadDecoder decoder, Workers worker, TaskRegistry tasks, ExecutorService grayExecutor,
                         Semaphore workerSlots, boolean slotTakenByQueue, Duration requestTimeout, ResultCache cache,
                         ResultKeys keys) {
        this.cache = cache;
        this.keys = keys;
        this.decoder = decoder;
        this.worker = worker;
        this.tasks = tasks;
        this.grayExecutor = grayExecutor;
        this.workerSlots = workerSlots;
        this.slotTakenByQueue = slotTakenByQueue;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Creates a task for {@code upload} and queues it. Throws {@link ErrorCode#OVERLOADED} when the queue is full;
     * the upload is released in every case once it is no longer needed.
     */
    public Task submit(Upload upload, ProcessingOptions options) {
        Task task = tasks.create(options.scale(), options.ops(), options.mode(), requestTimeout, upload.owner());
        recordCacheRequest(task, options);
        try {
            start(task, upload, options, (done, image, output, ranIn) -> done.complete(image, output, ranIn));
        } catch (RejectedExecutionException e) {
            upload.release().run();
            tasks.delete(task.id());
            throw overloaded();
        }
        return task;
    }

    /**
     * Queues an existing task; its output goes to {@code sink}, which must complete the task.
     *
     * @throws RejectedExecutionException when the gray queue is full or shut down; {@code upload} is then untouched
     */
    public void start(Task task, Upload upload, ProcessingOptions options, ResultSink sink) {
        // Queued under its owner, at the upload's size: the gray queue is a FairQueue (see FrontExecutors).
        grayExecutor.execute(new ClientWork(upload.owner(), upload.source().length(),
                () -> run(task, upload, options, sink)));
    }

    /** Records on a new task what its request lets the cache do, so a task run again (restored) does the same. */
    public static void recordCacheRequest(Task task, ProcessingOptions options) {
        task.recordCache(new TaskCache(options.cache().policy().label(), options.cache().scope(), null, null));
    }

    public static FrontException overloaded() {
        return new FrontException(ErrorCode.OVERLOADED,
                "the server is busy: its processing queue is full; retry after the Retry-After delay");
    }

    /** Where a finished image goes: into the task's memory for sync requests, to disk first for durable tasks. */
    @FunctionalInterface
    public interface ResultSink {
        void accept(Task task, byte[] image, ImageInfo output, ExecutionMode ranIn);
    }

    private void run(Task task, Upload upload, ProcessingOptions options, ResultSink sink) {
        boolean slotTaken = slotTakenByQueue;
        StageClock stages = task.stages();
        stages.pass(StageClock.Point.TAKEN);
        try {
            if (task.status().status().isFinal()) {
                return;
            }
            if (task.nanosLeft() <= 0) {
                throw deadline();
            }
            long lookupStarted = System.nanoTime();
            CacheKey key = keys.keyFor(upload.source(), options);
            CachePolicy policy = options.cache().policy();
            Optional<CachedImage> hit = policy == CachePolicy.USE ? cache.get(key) : Optional.empty();
            task.recordCache(new TaskCache(policy.label(), options.cache().scope(),
                    hit.isPresent() ? TaskCache.HIT : TaskCache.MISS, key.etag()));
            stages.pass(StageClock.Point.LOOKED_UP);
            if (hit.isPresent()) {
                cache.stats().hit(System.nanoTime() - lookupStarted);
                answerFromCache(task, hit.get(), sink);
                return;
            }
            if (policy != CachePolicy.OFF && cache.bytesAllowed() > 0) {
                cache.stats().miss(); // not counted when the cache is off (--cache-size 0): there was no lookup
            }
            if (!slotTaken) {
                if (!workerSlots.tryAcquire(Math.max(0, task.nanosLeft()), TimeUnit.NANOSECONDS)) {
                    throw deadline();
                }
                slotTaken = true;
                stages.pass(StageClock.Point.SLOT_TAKEN);
            }
            if (!task.moveTo(TaskState.GRAYSCALE)) {
                return;
            }
            long inputBytes = upload.source().length();
            LoadedImage loaded;
            try {
                loaded = decoder.decode(upload.source(), options.scale());
            } finally {
                upload.release().run();
            }
            ImageFormat sourceFormat = loaded.decoded().sourceFormat();
            task.recordInput(new ImageInfo(sourceFormat.label(), loaded.width(), loaded.height(), inputBytes));
            OutputFormat format = options.formatFor(sourceFormat);
            long millisLeft = TimeUnit.NANOSECONDS.toMillis(task.nanosLeft());
            if (millisLeft <= 0) {
                throw deadline();
            }
            if (!task.moveTo(TaskState.SCALING)) {
                return;
            }
            slotTaken = false;
            stages.pass(StageClock.Point.DECODED);
            // The raster may be smaller than the original (JPEG shrink-on-load); the target comes from the original.
            worker.scale(new ScaleOrder(loaded.decoded().gray(), loaded.targetWidth(), loaded.targetHeight(), format,
                            options.quality(), options.mode(), options.ops().ops(), options.lossless(),
                            upload.owner().share(), () -> stages.pass(StageClock.Point.SENT)),
                            (int) Math.min(Integer.MAX_VALUE, millisLeft))
                    .whenComplete((result, error) -> {
                        stages.pass(StageClock.Point.ANSWERED);
                        workerSlots.release();
                        if (error == null) {
                            ImageInfo output = new ImageInfo(result.format().label(), result.width(),
                                    result.height(), result.data().length);
                            if (policy != CachePolicy.OFF) {
                                cache.put(key, cachedImage(result.data(), output, task.status().input()));
                            }
                            sink.accept(task, result.data(), output, result.mode());
                        } else {
                            task.fail(asFrontException(error));
                        }
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.fail(new FrontException(ErrorCode.WORKER_UNAVAILABLE, "the server is shutting down; try again shortly"));
        } catch (Throwable e) {
            task.fail(asFrontException(e));
        } finally {
            upload.release().run();
            if (slotTaken) {
                workerSlots.release();
            }
        }
    }

    private static void answerFromCache(Task task, CachedImage image, ResultSink sink) {
        task.recordInput(new ImageInfo(image.inputFormat(), image.inputWidth(), image.inputHeight(),
                image.inputBytes()));
        sink.accept(task, image.data(), new ImageInfo(image.format(), image.width(), image.height(),
                image.data().length), null);
    }

    private static CachedImage cachedImage(byte[] data, ImageInfo output, ImageInfo input) {
        return new CachedImage(data, output.format(), output.width(), output.height(), input.format(),
                input.width(), input.height(), input.bytes());
    }

    private FrontException deadline() {
        return new FrontException(ErrorCode.DEADLINE_EXCEEDED, "the image waited too long in the queue ("
                + requestTimeout.toSeconds() + " s deadline); retry later or when the server is less busy");
    }

    private static FrontException asFrontException(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof FrontException api) {
            return api;
        }
        log.error("unexpected failure while processing an image", cause);
        return new FrontException(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }
}
