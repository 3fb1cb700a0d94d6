package io.graypipe.front.observe;

import io.graypipe.front.worker.WorkerSnapshot;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.WorkerStatus;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * The workers' figures and the queues in front of them, read when scraped: the pool as the workers' latest STATUS
 * describes it (fetched fresh for each scrape, see {@link #refresh()}), each worker by address, and the gray queue.
 */
public final class WorkerMetrics {
    /** How long a scrape waits for the worker's STATUS before reporting it as unreachable. */
    static final Duration WORKER_STATUS_TIMEOUT = Duration.ofSeconds(1);

    private final Workers workers;
    private final IntSupplier grayQueueDepth;
    /** The last STATUS, written by whichever thread completes {@link #refresh()}; null while none answers. */
    private volatile WorkerStatus workerStatus;

    /** Registers the worker and queue families in {@code metrics}' registry. */
    public WorkerMetrics(FrontMetrics metrics, Workers workers, IntSupplier grayQueueDepth) {
        this.workers = workers;
        this.grayQueueDepth = grayQueueDepth;
        PrometheusRegistry registry = metrics.registry();
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
                .callback(cb -> cb.call(workers.inFlight()))
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
                .callback(cb -> workers.snapshots().forEach(w -> cb.call(w.connected() ? 1 : 0, w.address())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_live_children")
                .help("Per worker, by address: children (threads in threads mode) alive in its latest STATUS; 0 while not connected")
                .labelNames("worker")
                .callback(cb -> workers.snapshots().forEach(w -> cb.call(w.liveChildren(), w.address())))
                .register(registry);
        GaugeWithCallback.builder().name("graypipe_worker_outstanding")
                .help("Per worker, by address: scale requests sent to it and not answered yet")
                .labelNames("worker")
                .callback(cb -> workers.snapshots().forEach(w -> cb.call(w.inFlight(), w.address())))
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_dispatched_total")
                .help("Per worker, by address: scale requests given to it, retries from a lost worker included")
                .labelNames("worker")
                .callback(cb -> workers.snapshots().forEach(w -> cb.call(w.dispatched(), w.address())))
                .register(registry);
        CounterWithCallback.builder().name("graypipe_worker_failures_total")
                .help("Per worker, by address: times it was taken out of rotation (connection lost, heartbeats unanswered)")
                .labelNames("worker")
                .callback(cb -> workers.snapshots().forEach(w -> cb.call(w.failures(), w.address())))
                .register(registry);
    }

    /**
     * Asks the workers for fresh figures, added up over every connected one; completes with them, or with empty
     * when none is reachable.
     */
    CompletableFuture<Optional<WorkerStatus>> refresh() {
        return workers.fetchStatus(WORKER_STATUS_TIMEOUT).handle((status, error) -> {
            workerStatus = error == null ? status : null;
            return Optional.ofNullable(workerStatus);
        });
    }

    int grayQueueDepth() {
        return grayQueueDepth.getAsInt();
    }

    int inFlight() {
        return workers.inFlight();
    }

    List<WorkerSnapshot> snapshots() {
        return workers.snapshots();
    }
}
