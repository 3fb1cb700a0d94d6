package io.graypipe.front.observe;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The p50 and p95 of each pipeline stage for {@code /stats}, from HdrHistogram: every time is recorded at
 * microsecond resolution with three significant digits, so the quantiles are read from the times themselves
 * rather than estimated inside a Prometheus bucket. {@code /metrics} keeps its buckets for {@code histogram_quantile}.
 *
 * <p><b>Threads.</b> A {@link Recorder} takes times from any thread without a lock; {@link #summaries} (one
 * reader at a time) moves what was recorded since the last read into the stage's running total.
 */
final class StageTimes {
    /** Three significant digits: a quantile is within 0.1 % of a time actually recorded. */
    private static final int SIGNIFICANT_DIGITS = 3;

    /** p50 and p95 in milliseconds, both null before the stage's first time. */
    record Summary(long count, Double p50Ms, Double p95Ms) {
    }

    private final Map<String, Recorder> recorders = new LinkedHashMap<>();
    /** Since start, per stage; only {@link #summaries} touches them, under this object's lock. */
    private final Map<String, Histogram> totals = new LinkedHashMap<>();

    StageTimes(String... stages) {
        for (String stage : stages) {
            recorders.put(stage, new Recorder(SIGNIFICANT_DIGITS));
            totals.put(stage, new Histogram(SIGNIFICANT_DIGITS));
        }
    }

    void record(String stage, Duration took) {
        recorders.get(stage).recordValue(Math.max(0, took.toNanos() / 1_000));
    }

    /** Every stage in the order given, since start. */
    synchronized Map<String, Summary> summaries() {
        Map<String, Summary> summaries = new LinkedHashMap<>();
        recorders.forEach((stage, recorder) -> {
            Histogram total = totals.get(stage);
            total.add(recorder.getIntervalHistogram());
            long count = total.getTotalCount();
            summaries.put(stage, count == 0 ? new Summary(0, null, null)
                    : new Summary(count, millis(total, 50), millis(total, 95)));
        });
        return summaries;
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
