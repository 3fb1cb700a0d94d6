package io.graypipe.front.observe;

import io.graypipe.front.cache.CacheStats;
import io.graypipe.front.cache.ResultCache;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.worker.SharedRegions;
import io.graypipe.protocol.WorkerStatus;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /stats}: the figures of {@link FrontMetrics} and {@link WorkerMetrics} as JSON for people rather
 * than Prometheus, made by {@link MetricsExport}. The body is
 * this record, serialised with snake_case names; maps appear only where the keys are data (states, stages).
 */
public record StatsReport(Instant startedAt, double uptimeSeconds, String jpegDecoder, SharedMemory sharedMemory,
                          Tasks tasks, Rates rates, long requestsTotal,
                          Map<String, Stage> stages, Queues queues, Bytes bytes, Pool pool, List<Worker> workers,
                          Jvm jvm, FormatsReport formats, Cache cache,
                          Map<String, ClientMetrics.Share> clients) {

    /** The result cache: {@code store} is disk, redis or off; {@code hitRatio} null before the first lookup. */
    public record Cache(String store, long hits, long misses, Double hitRatio, long evictions, long bytesUsed,
                        long bytesAllowed) {
        static Cache of(ResultCache cache) {
            CacheStats stats = cache.stats();
            Double ratio = stats.hitRatio();
            return new Cache(cache.kind(), stats.hits(), stats.misses(),
                    ratio == null ? null : Math.round(ratio * 1000) / 1000.0, stats.evictions(), cache.bytesUsed(),
                    cache.bytesAllowed());
        }
    }

    /**
     * Rasters handed to the worker in shared-memory regions: {@code directory} is null when the front sends them all
     * inline ({@code --shared-memory off}); {@code regionsCreated} counts regions written since start (a request
     * to a worker that does not share memory writes none), {@code regionsLive} those not yet deleted.
     */
    public record SharedMemory(String directory, long regionsCreated, int regionsLive) {
        static SharedMemory of(SharedRegions regions) {
            return regions == null ? new SharedMemory(null, 0, 0)
                    : new SharedMemory(regions.directory().toString(), regions.created(), regions.live());
        }
    }

    public record Tasks(Map<String, Long> heldByState, Map<String, Long> finishedTotal, long inFlight) {
    }

    public record Rates(int windowSeconds, double imagesPerSecond, double failuresPerSecond,
                        double requestsPerSecond) {
    }

    public record Stage(long count, Double p50Ms, Double p95Ms) {
    }

    /** {@code worker} is null while the worker cannot be asked. */
    public record Queues(int gray, Integer worker, int sentToWorker) {
    }

    public record Bytes(long received, long sent) {
    }

    /**
     * The workers' pools added up (children listed worker after worker); only {@code reachable} (false) when no
     * worker can be asked.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pool(boolean reachable, Integer configured, Integer alive, Integer busy, Integer queued,
                       Long restarts, Integer threads, Integer threadsBusy, List<Child> children) {
        static final Pool UNREACHABLE = new Pool(false, null, null, null, null, null, null, null, null);
    }

    public record Child(int slot, boolean alive, boolean busy, long requests, long restarts) {
    }

    /**
     * One worker by its configured address ({@code local} for the one this front started): whether it is
     * connected, its live children, requests in flight to it, given to it, and times it was lost.
     */
    public record Worker(String address, boolean connected, int children, int inFlight, long dispatched,
                         long failures) {
    }

    public record Jvm(long heapUsedBytes, long heapMaxBytes) {
    }

    static StatsReport of(FrontMetrics metrics, WorkerMetrics workers, Optional<WorkerStatus> worker,
                          FormatsReport formats, String jpegDecoder, SharedRegions regions, ResultCache cache) {
        Map<String, Long> byState = new LinkedHashMap<>();
        metrics.tasksByState().forEach((state, n) -> byState.put(state.label(), n));
        Map<String, Stage> stages = new LinkedHashMap<>();
        metrics.stageSummaries().forEach((stage, summary) -> stages.put(stage, new Stage(summary.count(),
                summary.p50Ms() == null ? null : round(summary.p50Ms()),
                summary.p95Ms() == null ? null : round(summary.p95Ms()))));
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new StatsReport(metrics.started(), metrics.uptime().toMillis() / 1000.0, jpegDecoder,
                SharedMemory.of(regions),
                new Tasks(byState, metrics.finishedCounts(), metrics.inFlight()),
                new Rates(RateWindow.SECONDS, round(metrics.imagesPerSecond()), round(metrics.failuresPerSecond()),
                        round(metrics.requestsPerSecond())),
                metrics.requestsTotal(),
                stages,
                new Queues(workers.grayQueueDepth(), worker.map(WorkerStatus::queued).orElse(null), workers.inFlight()),
                new Bytes(metrics.bytesReceivedTotal(), metrics.bytesSentTotal()),
                worker.map(StatsReport::pool).orElse(Pool.UNREACHABLE),
                workers.snapshots().stream().map(w -> new Worker(w.address(), w.connected(), w.liveChildren(),
                        w.inFlight(), w.dispatched(), w.failures())).toList(),
                new Jvm(heap.getUsed(), heap.getMax()), formats, Cache.of(cache),
                metrics.clients().shares());
    }

    private static Pool pool(WorkerStatus status) {
        List<Child> children = new ArrayList<>();
        for (int slot = 0; slot < status.children().size(); slot++) {
            WorkerStatus.Child child = status.children().get(slot);
            children.add(new Child(slot, child.alive(), child.busy(), child.requests(), child.restarts()));
        }
        return new Pool(true, status.configured(), status.alive(), status.busy(), status.queued(), status.restarts(),
                status.threads(), status.threadsBusy(), children);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
