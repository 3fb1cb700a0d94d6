package io.graypipe.front.observe;

import io.graypipe.front.cache.ResultCache;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.Timeline;
import io.graypipe.front.worker.SharedRegions;
import io.graypipe.front.worker.WorkerSnapshot;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.WorkerStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * Every figure the front keeps about itself, in one Prometheus registry. Counters and histograms are fed as
 * things happen; gauges are read when scraped. The worker's own figures come from a STATUS message fetched
 * fresh for each scrape (see {@link #refreshWorker()}).
 */
public final class FrontMetrics {
    /** How long a scrape waits for the worker's STATUS before reporting it as unreachable. */
    static final Duration WORKER_STATUS_TIMEOUT = Duration.ofSeconds(1);
    /** The stages of the per-stage histogram, in pipeline order. */
    public static final String[] STAGES = {"queued", "grayscale", "transfer", "scaling"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final TaskRegistry tasks;
    private final Workers worker;
    private final Clock clock;
    private final Instant started;
    private final Counter requests;
    private final Histogram requestDuration;
    private final Histogram stageDuration;
    private final Counter tasksFinished;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final RateWindow finishedRate;
    private final RateWindow failedRate;
    private final RateWindow requestRate;
    private volatile WorkerStatus workerStatus;
    private final String jpegDecoder;
    private final SharedRegions regions;
    private volatile ResultCache cache = ResultCache.off();
    private final ClientMetrics clients;

    /**
     * {@code jpegDecoder}: "turbojpeg" when JPEGs may be shrunk on load, "imageio" otherwise (see /stats);
     * {@code regions}: the front's shared-memory regions, null when rasters go inline.
     */
    public FrontMetrics(TaskRegistry tasks, IntSupplier grayQueueDepth, Workers worker, Clock clock,
                        String jpegDecoder, SharedRegions regions) {
        this.tasks = tasks;
        this.jpegDecoder = jpegDecoder;
        this.regions = regions;
        this.worker = worker;
        this.clock = clock;
        this.started = clock.instant();
        this.finishedRate = new RateWindow(() -> clock.instant().getEpochSecond());
        this.failedRate = new RateWindow(() -> clock.instant().getEpochSecond());
        this.requestRate = new RateWindow(() -> clock.instant().getEpochSecond());
        double[] secondsBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

        clients = new ClientMetrics(registry, secondsBuckets);
        requests = Counter.builder().name("graypipe_http_requests_total")
                .help("HTTP requests answered, by route template, method and status code")
                .labelNames("route", "method", "status").register(registry);
        requestDuration = Histogram.builder().name("graypipe_http_request_duration_seconds")
                .help("Time from a request's first line to its answer (to the stream's start for event streams)")
                .labelNames("route").classicOnly().classicUpperBounds(secondsBuckets).register(registry);
        stageDuration = Histogram.builder().name("graypipe_stage_duration_seconds")
                .help("Time images spent in each pipeline stage: queued, grayscale, transfer (writing the raster "
                        + "to the worker), scaling (raster handed over until the result is back)")
                .labelNames("stage").classicOnly().classicUpperBounds(secondsBuckets).register(registry);
        tasksFinished = Counter.builder().name("graypipe_tasks_finished_total")
                .help("Tasks that reached a final state, by that state").labelNames("state").register(registry);
        bytesReceived = Counter.builder().name("graypipe_http_received_bytes_total")
                .help("Bytes read from HTTP clients, headers included").register(registry);
        bytesSent = Counter.builder().name("graypipe_http_sent_bytes_total")
                .help("Bytes written to HTTP clients, headers included").register(registry);
        for (String stage : STAGES) {
            stageDuration.labelValues(stage);
        }
        for (TaskState state : TaskState.values()) {
            if (state.isFinal()) {
                tasksFinished.labelValues(state.label());
            }
        }

        GaugeWithCallback.builder().name("graypipe_tasks")
                .help("Tasks the front holds now (finished ones until their result TTL), by state")
                .labelNames("state")
                .callback(cb -> tasks.countByState().forEach((state, n) -> cb.call(n, state.label())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_images_in_flight")
                .help("Images accepted and not finished yet: queued, grayscale or scaling")
                .callback(cb -> cb.call(inFlight()))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_queue_depth")
                .help("Work waiting: 'gray' for a gray thread in the front, 'worker' for a child in the worker")
                .labelNames("queue")
                .callback(cb -> {
                    cb.call(grayQueueDepth.getAsInt(), "gray");
                    WorkerStatus status = workerStatus;
                    if (status != null) {
                        cb.call(status.queued(), "worker");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_requests_in_flight")
                .help("Scale requests sent to the worker and not answered yet")
                .callback(cb -> cb.call(worker.inFlight()))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_up")
                .help("1 when the worker is connected and answered the last STATUS request, else 0")
                .callback(cb -> cb.call(workerStatus != null ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_children")
                .help("Worker children (threads in threads mode) by state: configured, alive, busy")
                .labelNames("state")
                .callback(cb -> {
                    WorkerStatus status = workerStatus;
                    cb.call(status == null ? 0 : status.configured(), "configured");
                    cb.call(status == null ? 0 : status.alive(), "alive");
                    cb.call(status == null ? 0 : status.busy(), "busy");
                })
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_child_restarts_total")
                .help("Children the worker replaced since it started (absent while the worker is unreachable)")
                .callback(cb -> {
                    WorkerStatus status = workerStatus;
                    if (status != null) {
                        cb.call(status.restarts());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_child_requests_total")
                .help("Requests each worker slot answered since the worker started")
                .labelNames("slot")
                .callback(cb -> {
                    WorkerStatus status = workerStatus;
                    if (status != null) {
                        for (int slot = 0; slot < status.children().size(); slot++) {
                            cb.call(status.children().get(slot).requests(), Integer.toString(slot));
                        }
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_connected")
                .help("Per worker, by address: 1 while connected and past the handshake (in rotation if it has live children), else 0")
                .labelNames("worker")
                .callback(cb -> worker.snapshots().forEach(w -> cb.call(w.connected() ? 1 : 0, w.address())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_live_children")
                .help("Per worker, by address: children (threads in threads mode) alive in its latest STATUS; 0 while not connected")
                .labelNames("worker")
                .callback(cb -> worker.snapshots().forEach(w -> cb.call(w.liveChildren(), w.address())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_outstanding")
                .help("Per worker, by address: scale requests sent to it and not answered yet")
                .labelNames("worker")
                .callback(cb -> worker.snapshots().forEach(w -> cb.call(w.inFlight(), w.address())))
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_dispatched_total")
                .help("Per worker, by address: scale requests given to it, retries from a lost worker included")
                .labelNames("worker")
                .callback(cb -> worker.snapshots().forEach(w -> cb.call(w.dispatched(), w.address())))
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_failures_total")
                .help("Per worker, by address: times it was taken out of rotation (connection lost, heartbeats unanswered)")
                .labelNames("worker")
                .callback(cb -> worker.snapshots().forEach(w -> cb.call(w.failures(), w.address())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_uptime_seconds")
                .help("Seconds since the front started")
                .callback(cb -> cb.call(uptime().toMillis() / 1000.0))
                .register(registry);
        JvmMemoryMetrics.builder().register(registry);

        tasks.onCreate(this::follow);
    }

    /** Counts the task's end and its stage times once it finishes. */
    private void follow(Task task) {
        task.subscribe(status -> {
            if (status.status().isFinal()) {
                finished(status);
            }
        });
    }

    private void finished(TaskStatus status) {
        tasksFinished.labelValues(status.status().label()).inc();
        if (status.status() == TaskState.DONE) {
            finishedRate.record();
        } else if (status.status() == TaskState.FAILED) {
            failedRate.record();
        }
        Timeline timeline = status.timeline();
        observeStage("queued", timeline.queued());
        observeStage("grayscale", timeline.grayscale());
        observeStage("scaling", timeline.scaling());
    }

    private void observeStage(String stage, Duration took) {
        if (took != null) {
            stageDuration.labelValues(stage).observe(took.toNanos() / 1e9);
        }
    }

    /** How long a raster took to reach the worker's socket; fed by the {@link Workers}. */
    public void transferred(Duration took) {
        observeStage("transfer", took);
    }

    public void requestAnswered(String route, String method, int status, long startNanos) {
        requests.labelValues(route, method, Integer.toString(status)).inc();
        requestDuration.labelValues(route).observe((System.nanoTime() - startNanos) / 1e9);
        requestRate.record();
    }

    void bytesReceived(long bytes) {
        bytesReceived.inc(bytes);
    }

    void bytesSent(long bytes) {
        bytesSent.inc(bytes);
    }

    /** The per-client series and shares. */
    public ClientMetrics clients() {
        return clients;
    }

    /**
     * Asks the workers for fresh figures, added up over every connected one; completes with them, or with empty
     * when none is reachable.
     */
    public CompletableFuture<Optional<WorkerStatus>> refreshWorker() {
        return worker.fetchStatus(WORKER_STATUS_TIMEOUT).handle((status, error) -> {
            workerStatus = error == null ? status : null;
            return Optional.ofNullable(workerStatus);
        });
    }

    /** The whole registry in the Prometheus text format, worker figures refreshed first. */
    public CompletableFuture<byte[]> scrape() {
        return refreshWorker().thenApply(ignored -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            try {
                writer.write(out, registry.scrape());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        });
    }

    public String contentType() {
        return writer.getContentType();
    }

    public Duration uptime() {
        return Duration.between(started, clock.instant());
    }

    /** Which decoder JPEGs take: "turbojpeg" (shrink-on-load) or "imageio" (full size). */
    public String jpegDecoder() {
        return jpegDecoder;
    }

    /** The front's shared-memory regions, or null when rasters go inline. */
    public SharedRegions sharedRegions() {
        return regions;
    }

    public Instant started() {
        return started;
    }

    long inFlight() {
        long n = 0;
        for (Map.Entry<TaskState, Long> entry : tasks.countByState().entrySet()) {
            n += entry.getKey().isFinal() ? 0 : entry.getValue();
        }
        return n;
    }

    Map<TaskState, Long> tasksByState() {
        return tasks.countByState();
    }

    Map<String, Long> finishedCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        tasksFinished.collect().getDataPoints().forEach(point ->
                counts.put(point.getLabels().get("state"), (long) point.getValue()));
        return counts;
    }

    double imagesPerSecond() {
        return finishedRate.perSecond(started.getEpochSecond());
    }

    double failuresPerSecond() {
        return failedRate.perSecond(started.getEpochSecond());
    }

    double requestsPerSecond() {
        return requestRate.perSecond(started.getEpochSecond());
    }

    long bytesReceivedTotal() {
        return (long) bytesReceived.get();
    }

    long bytesSentTotal() {
        return (long) bytesSent.get();
    }

    long requestsTotal() {
        return requests.collect().getDataPoints().stream().mapToLong(p -> (long) p.getValue()).sum();
    }

    int workerInFlight() {
        return worker.inFlight();
    }

    List<WorkerSnapshot> workerSnapshots() {
        return worker.snapshots();
    }

    /** Per stage: count, p50 and p95 in milliseconds, estimated from the histogram like histogram_quantile. */
    Map<String, StageSummary> stageSummaries() {
        Map<String, StageSummary> summaries = new LinkedHashMap<>();
        HistogramSnapshot snapshot = stageDuration.collect();
        for (String stage : STAGES) {
            snapshot.getDataPoints().stream()
                    .filter(point -> stage.equals(point.getLabels().get("stage")))
                    .findFirst()
                    .ifPresent(point -> summaries.put(stage, new StageSummary(point.getCount(),
                            quantileMillis(point.getClassicBuckets(), 0.5),
                            quantileMillis(point.getClassicBuckets(), 0.95))));
        }
        return summaries;
    }

    /** Linear interpolation inside the bucket that holds the quantile; null without observations. */
    static Double quantileMillis(ClassicHistogramBuckets buckets, double q) {
        long total = 0;
        for (int i = 0; i < buckets.size(); i++) {
            total += buckets.getCount(i);
        }
        if (total == 0) {
            return null;
        }
        double rank = q * total;
        long seen = 0;
        double lower = 0;
        for (int i = 0; i < buckets.size(); i++) {
            long count = buckets.getCount(i);
            double upper = buckets.getUpperBound(i);
            if (seen + count >= rank && count > 0) {
                if (Double.isInfinite(upper)) {
                    return lower * 1000; // beyond the last bound: report the bound, as Prometheus does
                }
                return (lower + (upper - lower) * (rank - seen) / count) * 1000;
            }
            seen += count;
            lower = Double.isInfinite(upper) ? lower : upper;
        }
        return lower * 1000;
    }

    record StageSummary(long count, Double p50Ms, Double p95Ms) {
    }

    /** Adds the result cache's figures ({@code graypipe_cache_*}) to /metrics and its summary to /stats. */
    public void watch(ResultCache resultCache) {
        cache = resultCache;
        CacheMetrics.register(registry, resultCache);
    }

    ResultCache cache() {
        return cache;
    }
}
