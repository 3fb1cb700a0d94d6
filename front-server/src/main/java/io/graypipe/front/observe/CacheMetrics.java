package io.graypipe.front.observe;

import io.graypipe.front.cache.CacheStats;
import io.graypipe.front.cache.ResultCache;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The result cache's figures on /metrics: {@code graypipe_cache_*}. */
final class CacheMetrics {
    private CacheMetrics() {
    }

    static void register(PrometheusRegistry registry, ResultCache cache) {
        CacheStats stats = cache.stats();
        CounterWithCallback.builder().name("graypipe_cache_hits_total")
                .help("Images answered from the result cache, with no decode, scale or encode")
                .callback(cb -> cb.call(stats.hits())).register(registry);
        CounterWithCallback.builder().name("graypipe_cache_misses_total")
                .help("Images computed because the cache had no usable entry (cache=bypass included, cache=off not)")
                .callback(cb -> cb.call(stats.misses())).register(registry);
        CounterWithCallback.builder().name("graypipe_cache_evictions_total")
                .help("Entries removed to keep the cache within --cache-size (by this front, with Redis)")
                .callback(cb -> cb.call(stats.evictions())).register(registry);
        CounterWithCallback.builder().name("graypipe_cache_corrupt_entries_total")
                .help("Entries that failed their length or SHA-256 check: deleted and computed again")
                .callback(cb -> cb.call(stats.corruptEntries())).register(registry);
        CounterWithCallback.builder().name("graypipe_cache_dropped_writes_total")
                .help("Results not stored: the cache's write queue was full or its store refused")
                .callback(cb -> cb.call(stats.droppedWrites())).register(registry);
        GaugeWithCallback.builder().name("graypipe_cache_bytes")
                .help("Bytes of cache entries held now (with Redis, the total the last store by this front saw)")
                .callback(cb -> cb.call(cache.bytesUsed())).register(registry);
        GaugeWithCallback.builder().name("graypipe_cache_max_bytes")
                .help("Bytes the cache may hold (--cache-size; 0 when off)")
                .callback(cb -> cb.call(cache.bytesAllowed())).register(registry);
        Histogram hitLatency = Histogram.builder().name("graypipe_cache_hit_duration_seconds")
                .help("From the start of the lookup (hashing the upload included) to the entry in hand, for hits")
                .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .register(registry);
        stats.onHit(nanos -> hitLatency.observe(nanos / 1e9));
    }
}
