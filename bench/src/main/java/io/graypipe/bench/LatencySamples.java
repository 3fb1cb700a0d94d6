package io.graypipe.bench;

import java.util.Arrays;

/**
 * Every latency sample of one client thread, in nanoseconds. Benchmarks here make at most a few hundred thousand
 * requests, so keeping all samples is cheap and gives exact percentiles instead of bucketed ones.
 */
final class LatencySamples {
    private long[] samples = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    int size() {
        return size;
    }

    /** Latency percentiles in milliseconds. */
    record Summary(long count, double min, double mean, double p50, double p95, double p99, double max) {
        static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0, 0);
    }

    static Summary summarize(Iterable<LatencySamples> parts) {
        int total = 0;
        for (LatencySamples part : parts) {
            total += part.size;
        }
        if (total == 0) {
            return Summary.EMPTY;
        }
        long[] all = new long[total];
        int offset = 0;
        double sum = 0;
        for (LatencySamples part : parts) {
            System.arraycopy(part.samples, 0, all, offset, part.size);
            offset += part.size;
        }
        Arrays.sort(all);
        for (long sample : all) {
            sum += sample;
        }
        return new Summary(total, millis(all[0]), sum / total / 1e6, millis(percentile(all, 50)),
                millis(percentile(all, 95)), millis(percentile(all, 99)), millis(all[total - 1]));
    }

    /** Nearest-rank percentile: the smallest sample with at least p% of samples at or below it. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
