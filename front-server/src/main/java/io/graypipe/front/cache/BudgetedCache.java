package io.graypipe.front.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What both stores of the result cache keep the same way: a byte budget, the bytes in use, the counters, and the
 * one writer thread that stores entries off the request's thread.
 */
abstract class BudgetedCache implements ResultCache {
    protected final long maxBytes;
    protected final CacheStats stats = new CacheStats();
    protected final AtomicLong used = new AtomicLong();
    protected final CacheWriter writer = new CacheWriter("graypipe-cache-writer", stats);

    protected BudgetedCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public final CacheStats stats() {
        return stats;
    }

    @Override
    public final long bytesUsed() {
        return used.get();
    }

    @Override
    public final long bytesAllowed() {
        return maxBytes;
    }

    @Override
    public void close() {
        writer.close();
    }
}
