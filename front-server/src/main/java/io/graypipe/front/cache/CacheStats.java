package io.graypipe.front.cache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/** The cache's counters, read by /metrics and /stats. Thread-safe. */
public final class CacheStats {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile LongConsumer hitLatency = nanos -> { };

    /** A lookup answered from the cache, {@code nanos} after it began (hashing the upload included). */
    public void hit(long nanos) {
        hits.increment();
        hitLatency.accept(nanos);
    }

    /** A lookup that found nothing usable, or a request that did not look ({@code cache=bypass}). */
    public void miss() {
        misses.increment();
    }

    void evicted(long count) {
        evictions.add(count);
    }

    /** An entry that failed its length or hash check, deleted and recomputed. */
    void corrupt() {
        corrupt.increment();
    }

    /** A result not stored: the write queue was full, or the store refused it. */
    void dropped() {
        dropped.increment();
    }

    /** Where each hit's latency goes (the metrics' histogram). */
    public void onHit(LongConsumer listener) {
        hitLatency = listener;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    public long corruptEntries() {
        return corrupt.sum();
    }

    public long droppedWrites() {
        return dropped.sum();
    }

    /** Hits ÷ lookups, or null before the first. */
    public Double hitRatio() {
        long h = hits(), total = h + misses();
        return total == 0 ? null : (double) h / total;
    }
}
