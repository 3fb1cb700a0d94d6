package io.graypipe.front.observe;

import io.graypipe.front.cache.ResultCache;
import io.graypipe.front.worker.SharedRegions;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What {@code /metrics} and {@code /stats} read, each time after the workers' figures were refreshed: the one
 * registry in the Prometheus text format, and {@link StatsReport}. Besides the metrics it holds the facts that
 * only {@code /stats} shows: which JPEG decoder runs, the shared-memory regions and the result cache (whose
 * families it adds to the registry).
 */
public final class MetricsExport {
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final FrontMetrics metrics;
    private final WorkerMetrics workers;
    private final String jpegDecoder;
    private final SharedRegions regions;
    private final ResultCache cache;

    /**
     * {@code jpegDecoder}: "turbojpeg" when JPEGs may be shrunk on load, "imageio" otherwise; {@code regions}: the
     * front's shared-memory regions, null when rasters go inline.
     */
    public MetricsExport(FrontMetrics metrics, WorkerMetrics workers, String jpegDecoder, SharedRegions regions,
                         ResultCache cache) {
        this.metrics = metrics;
        this.workers = workers;
        this.jpegDecoder = jpegDecoder;
        this.regions = regions;
        this.cache = cache;
        CacheMetrics.register(metrics.registry(), cache);
    }

    /** The figures recorded as things happen, which the HTTP layer feeds. */
    public FrontMetrics metrics() {
        return metrics;
    }

    /** The whole registry in the Prometheus text format, worker figures refreshed first. */
    public CompletableFuture<byte[]> scrape() {
        return workers.refresh().thenApply(ignored -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            try {
                writer.write(out, metrics.registry().scrape());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        });
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** {@code GET /stats}; {@code formats}: what the deployment reads and writes, taken when the report is made. */
    public CompletableFuture<StatsReport> stats(Supplier<FormatsReport> formats) {
        return workers.refresh().thenApply(worker -> StatsReport.of(metrics, workers, worker, formats.get(),
                jpegDecoder, regions, cache));
    }
}
