package io.graypipe.bench;

/**
 * Hands out request slots: warm-up until both the warm-up time and count have passed, then measured slots
 * until the duration or the count runs out. The steady window runs from the first measured slot to the first
 * refused one; only then were all clients continuously busy, so throughput and CPU are taken over it.
 */
final class LoadSchedule {
    enum Slot { WARMUP, MEASURE, STOP }

    private final long startNanos = System.nanoTime();
    private final long warmupNanos;
    private final long warmupRequests;
    private final long durationNanos;
    private final long maxRequests;
    private final ProcessSampler sampler;
    private long warmupIssued;
    private long measuredIssued;
    private long windowStart = -1;
    private long windowEnd = -1;
    private long windowStartEpochMillis = -1;
    private long windowEndEpochMillis = -1;
    private double clientCpuAtStart;
    private double clientCpuAtEnd;

    LoadSchedule(long warmupNanos, long warmupRequests, long durationNanos, long maxRequests,
             ProcessSampler sampler) {
        this.warmupNanos = warmupNanos;
        this.warmupRequests = warmupRequests;
        this.durationNanos = durationNanos;
        this.maxRequests = maxRequests;
        this.sampler = sampler;
    }

    synchronized Slot next() {
        long now = System.nanoTime();
        if (windowEnd >= 0) {
            return Slot.STOP;
        }
        if (windowStart < 0) {
            if (now - startNanos < warmupNanos || warmupIssued < warmupRequests) {
                warmupIssued++;
                return Slot.WARMUP;
            }
            // Sampled under the lock so no measured request starts before the CPU baseline is taken.
            if (sampler != null) {
                sampler.markStart();
            }
            clientCpuAtStart = ProcessSampler.ownCpuSeconds();
            windowStart = System.nanoTime();
            windowStartEpochMillis = System.currentTimeMillis();
        }
        if (measuredIssued >= maxRequests || now - windowStart >= durationNanos) {
            if (sampler != null) {
                sampler.markEnd();
            }
            clientCpuAtEnd = ProcessSampler.ownCpuSeconds();
            windowEnd = System.nanoTime();
            windowEndEpochMillis = System.currentTimeMillis();
            return Slot.STOP;
        }
        measuredIssued++;
        return Slot.MEASURE;
    }

    synchronized boolean inWindow(long nanos) {
        return windowStart >= 0 && nanos >= windowStart && (windowEnd < 0 || nanos <= windowEnd);
    }

    synchronized long windowNanos() {
        return windowStart < 0 || windowEnd < 0 ? 0 : windowEnd - windowStart;
    }

    /** When the window began, wall clock; null before it ends. */
    synchronized Long windowStartEpochMillis() {
        return windowEnd < 0 ? null : windowStartEpochMillis;
    }

    /** When the window ended, wall clock; null before it ends. */
    synchronized Long windowEndEpochMillis() {
        return windowEnd < 0 ? null : windowEndEpochMillis;
    }

    /** CPU this load client used over the steady window, comparable with the server's. */
    synchronized double clientCpuSeconds() {
        return windowEnd < 0 ? 0 : clientCpuAtEnd - clientCpuAtStart;
    }

    synchronized long warmupIssued() {
        return warmupIssued;
    }
}
