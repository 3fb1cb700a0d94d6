package io.graypipe.front.observe;

import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.Timeline;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The front's own figures, fed as things happen: requests, tasks, stage times, bytes, per-client counts, and the
 * gauges read from the task registry. It owns the one Prometheus registry; {@link WorkerMetrics} and
 * {@link MetricsExport} (the cache's) add their families to it. Needing only the registry of tasks, it exists
 * before the executors and worker connections that report to it.
 */
public final class FrontMetrics {
    /** The stages of the per-stage histogram, in pipeline order. */
    public static final String[] STAGES = {"queued", "grayscale", "transfer", "scaling"};
    /** The bounds of every time histogram, in seconds. */
    static final double[] SECONDS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
            30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final TaskRegistry tasks;
    private final Clock clock;
    private final Instant started;
    private final Counter requests;
    private final Histogram requestDuration;
    private final Histogram stageDuration;
    private final StageTimes stageTimes = new StageTimes(STAGES);
    private final Counter tasksFinished;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final RateWindow finishedRate;
    private final RateWindow failedRate;
    private final RateWindow requestRate;
    private final ClientMetrics clients;

    public FrontMetrics(TaskRegistry tasks, Clock clock) {
        this.tasks = tasks;
        this.clock = clock;
        this.started = clock.instant();
        this.finishedRate = new RateWindow(() -> clock.instant().getEpochSecond());
        this.failedRate = new RateWindow(() -> clock.instant().getEpochSecond());
        this.requestRate = new RateWindow(() -> clock.instant().getEpochSecond());

        clients = new ClientMetrics(registry, SECONDS_BUCKETS);
        requests = Counter.builder().name("graypipe_http_requests_total")
                .help("HTTP requests answered, by route template, method and status code")
                .labelNames("route", "method", "status").register(registry);
        requestDuration = Histogram.builder().name("graypipe_http_request_duration_seconds")
                .help("Time from a request's first line to its answer (to the stream's start for event streams)")
                .labelNames("route").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        stageDuration = Histogram.builder().name("graypipe_stage_duration_seconds")
                .help("Time images spent in each pipeline stage: queued, grayscale, transfer (writing the raster "
                        + "to the worker), scaling (raster handed over until the result is back)")
                .labelNames("stage").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
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
        GaugeWithCallback.builder().name("graypipe_uptime_seconds")
                .help("Seconds since the front started")
                .callback(cb -> cb.call(uptime().toMillis() / 1000.0))
                .register(registry);
        JvmMemoryMetrics.builder().register(registry);

        tasks.onCreate(this::follow);
    }

    /** Where {@link WorkerMetrics} registers its families, and what {@link MetricsExport} writes out. */
    PrometheusRegistry registry() {
        return registry;
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
            stageTimes.record(stage, took);
        }
    }

    /** How long a raster took to reach the worker's socket; fed by the worker connections. */
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

    // ---- the figures /stats reads

    Duration uptime() {
        return Duration.between(started, clock.instant());
    }

    Instant started() {
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

    /** Per stage, in pipeline order: count, p50 and p95 in milliseconds. */
    Map<String, StageTimes.Summary> stageSummaries() {
        return stageTimes.summaries();
    }
}
