package io.graypipe.front.observe;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The p50 and p95 of each pipeline stage for {@code /stats}, from HdrHistogram: every time since start is kept at
 * microsecond resolution with three significant digits, so the quantiles are read from the times themselves
 * rather than estimated inside a Prometheus bucket. {@code /metrics} keeps its buckets for {@code histogram_quantile}.
 *
 * <p><b>Threads.</b> Times come from event loops and gray threads, and {@code /stats} reads on a worker
 * connection's event loop. A {@link SynchronizedHistogram} takes its monitor for a few array updates and never
 * waits otherwise; HdrHistogram's wait-free {@code Recorder} was not used because its reader may yield or sleep
 * until writers catch up, which an event loop must not.
 */
final class StageTimes {
    /** Three significant digits: a quantile is within 0.1 % of a time actually recorded. */
    private static final int SIGNIFICANT_DIGITS = 3;

    /** p50 and p95 in milliseconds, both null before the stage's first time. */
    record Summary(long count, Double p50Ms, Double p95Ms) {
    }

    private final Map<String, SynchronizedHistogram> stages = new LinkedHashMap<>();

    StageTimes(String... names) {
        for (String name : names) {
            // Auto-resizing: no highest time to guess, a request timeout of minutes still fits.
            stages.put(name, new SynchronizedHistogram(SIGNIFICANT_DIGITS));
        }
    }

    void record(String stage, Duration took) {
        stages.get(stage).recordValue(Math.max(0, took.toNanos() / 1_000));
    }

    /** Every stage in the order given, since start; each one a consistent copy. */
    Map<String, Summary> summaries() {
        Map<String, Summary> summaries = new LinkedHashMap<>();
        stages.forEach((stage, times) -> {
            Histogram copy = times.copy();
            long count = copy.getTotalCount();
            summaries.put(stage, count == 0 ? new Summary(0, null, null)
                    : new Summary(count, millis(copy, 50), millis(copy, 95)));
        });
        return summaries;
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
