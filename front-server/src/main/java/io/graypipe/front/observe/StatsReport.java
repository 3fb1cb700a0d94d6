package io.graypipe.front.observe;

import io.graypipe.protocol.WorkerStatus;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code GET /stats}: the figures of {@link FrontMetrics} as JSON for people rather than Prometheus. */
public final class StatsReport {
    private StatsReport() {
    }

    public static CompletableFuture<Map<String, Object>> build(FrontMetrics metrics, int grayQueueDepth) {
        return metrics.refreshWorker().thenApply(worker -> report(metrics, grayQueueDepth, worker));
    }

    private static Map<String, Object> report(FrontMetrics metrics, int grayQueueDepth, Optional<WorkerStatus> worker) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("started_at", metrics.started());
        body.put("uptime_seconds", metrics.uptime().toMillis() / 1000.0);
        body.put("jpeg_decoder", metrics.jpegDecoder());

        Map<String, Object> tasks = new LinkedHashMap<>();
        Map<String, Long> byState = new LinkedHashMap<>();
        metrics.tasksByState().forEach((state, n) -> byState.put(state.label(), n));
        tasks.put("held_by_state", byState);
        tasks.put("finished_total", metrics.finishedCounts());
        tasks.put("in_flight", metrics.inFlight());
        body.put("tasks", tasks);

        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("window_seconds", RateWindow.SECONDS);
        rates.put("images_per_second", round(metrics.imagesPerSecond()));
        rates.put("failures_per_second", round(metrics.failuresPerSecond()));
        rates.put("requests_per_second", round(metrics.requestsPerSecond()));
        body.put("rates", rates);

        body.put("requests_total", metrics.requestsTotal());
        Map<String, Object> stages = new LinkedHashMap<>();
        metrics.stageSummaries().forEach((stage, summary) -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("count", summary.count());
            figures.put("p50_ms", summary.p50Ms() == null ? null : round(summary.p50Ms()));
            figures.put("p95_ms", summary.p95Ms() == null ? null : round(summary.p95Ms()));
            stages.put(stage, figures);
        });
        body.put("stages", stages);

        Map<String, Object> queues = new LinkedHashMap<>();
        queues.put("gray", grayQueueDepth);
        queues.put("worker", worker.map(WorkerStatus::queued).orElse(null));
        queues.put("sent_to_worker", metrics.workerInFlight());
        body.put("queues", queues);

        Map<String, Object> bytes = new LinkedHashMap<>();
        bytes.put("received", metrics.bytesReceivedTotal());
        bytes.put("sent", metrics.bytesSentTotal());
        body.put("bytes", bytes);

        body.put("pool", worker.map(StatsReport::pool).orElseGet(() -> Map.of("reachable", false)));

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> jvm = new LinkedHashMap<>();
        jvm.put("heap_used_bytes", heap.getUsed());
        jvm.put("heap_max_bytes", heap.getMax());
        body.put("jvm", jvm);
        return body;
    }

    private static Map<String, Object> pool(WorkerStatus status) {
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("reachable", true);
        pool.put("configured", status.configured());
        pool.put("alive", status.alive());
        pool.put("busy", status.busy());
        pool.put("queued", status.queued());
        pool.put("restarts", status.restarts());
        List<Map<String, Object>> children = new ArrayList<>();
        for (int slot = 0; slot < status.children().size(); slot++) {
            WorkerStatus.Child child = status.children().get(slot);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("slot", slot);
            entry.put("alive", child.alive());
            entry.put("busy", child.busy());
            entry.put("requests", child.requests());
            entry.put("restarts", child.restarts());
            children.add(entry);
        }
        pool.put("children", children);
        return pool;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
