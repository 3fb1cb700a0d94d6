package io.graypipe.front.cache;

import java.util.Optional;

/**
 * The content-addressed result cache: finished images by {@link CacheKey}. {@link DiskCache} keeps them in this
 * front's data directory; {@link RedisCache} in the Redis every front of a cluster shares.
 *
 * <p>Never fails its caller: a store that cannot answer, or an entry that fails its check, is a miss, and a
 * result that cannot be stored is dropped. Neither method may run on an event loop.
 */
public interface ResultCache extends AutoCloseable {
    /**
     * The result stored under {@code key}, or empty. Called on a gray thread; waits at most a bounded time (the
     * disk read, or the Redis command timeout).
     */
    Optional<CachedImage> get(CacheKey key);

    /** Stores {@code image} under {@code key} in the background; returns at once, on any thread. */
    void put(CacheKey key, CachedImage image);

    /** What the cache counted. */
    CacheStats stats();

    /** Bytes of entries held now (this front's view, for Redis). */
    long bytesUsed();

    /** Bytes the entries may take at most: {@code --cache-size}; 0 when the cache is off. */
    long bytesAllowed();

    /** {@code disk}, {@code redis} or {@code off}, as /stats shows it. */
    String kind();

    @Override
    void close();

    /** The cache of {@code --cache-size 0}: every lookup a miss, nothing stored. */
    static ResultCache off() {
        CacheStats stats = new CacheStats();
        return new ResultCache() {
            @Override
            public Optional<CachedImage> get(CacheKey key) {
                return Optional.empty();
            }

            @Override
            public void put(CacheKey key, CachedImage image) {
            }

            @Override
            public CacheStats stats() {
                return stats;
            }

            @Override
            public long bytesUsed() {
                return 0;
            }

            @Override
            public long bytesAllowed() {
                return 0;
            }

            @Override
            public String kind() {
                return "off";
            }

            @Override
            public void close() {
            }
        };
    }
}
