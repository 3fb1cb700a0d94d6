package io.graypipe.front.access;

import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client token buckets (Bucket4j) counted in images: a client may send {@code burst} images at once and
 * {@code rate} per second after that. Buckets live in this front's memory, or, with a shared store, in Redis
 * through Bucket4j's Lettuce module, so the limit holds across every front. A bucket's key carries its limit, so
 * a key file that changes a client's limit starts it on a fresh bucket.
 */
public final class RateLimits implements AutoCloseable {
    /**
     * The highest rate a key or {@code --rate-limit} may give, far past what a front serves. Bucket4j refills at
     * most one token per nanosecond and throws on a faster limit (F11); this keeps every limit well inside that.
     */
    public static final double MAX_RATE = 1_000_000;
    /** Unused buckets in Redis expire this long after they are full again. */
    private static final Duration KEEP_FULL = Duration.ofSeconds(10);

    /**
     * One client's limit, with the two texts every request needs made once, when the limit is: its IETF
     * {@code RateLimit-Policy} header and the tail of its bucket's key. {@link AccessControl} makes one per key of
     * the key file, so a request with a key builds neither ({@code scripts/bench --profile}, keys-on-jpeg320-c4).
     */
    public static final class Limit {
        private final double rate;
        private final long burst;
        private final String policy;
        private final String bucketTail;

        public Limit(double rate, long burst) {
            this.rate = rate;
            this.burst = burst;
            this.policy = "\"images\";q=" + burst + ";w=" + Math.max(1, (long) Math.ceil(burst / rate));
            this.bucketTail = "|" + rate + "/" + burst;
        }

        public double rate() {
            return rate;
        }

        public long burst() {
            return burst;
        }

        /** {@code "images";q=BURST;w=SECONDS}, where SECONDS is how long an empty bucket takes to fill. */
        public String policy() {
            return policy;
        }

        /** {@code CLIENT|RATE/BURST}: a client's bucket for this limit; {@link #sweep} reads the burst back. */
        String bucketKey(String client) {
            return client.concat(bucketTail);
        }

        BucketConfiguration configuration() {
            long refillNanos = Math.max(1, Math.round(burst / rate * 1e9));
            return BucketConfiguration.builder().addLimit(BandwidthBuilder.builder().capacity(burst)
                    .refillGreedy(burst, Duration.ofNanos(refillNanos)).build()).build();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Limit limit && Double.compare(limit.rate, rate) == 0 && limit.burst == burst;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(rate) * 31 + Long.hashCode(burst);
        }

        @Override
        public String toString() {
            return "Limit[rate=" + rate + ", burst=" + burst + "]";
        }
    }

    /**
     * What a request spent, or why it may not.
     *
     * @param retryAfterSeconds when refused: how long until the images it asked for are there; -1 when never
     *                          (more images than the burst)
     * @param resetSeconds      how long until the bucket is full again
     */
    public record Verdict(Limit limit, boolean allowed, long remaining, long retryAfterSeconds, long resetSeconds) {
        static Verdict of(Limit limit, ConsumptionProbe probe) {
            long wait = probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill() == Long.MAX_VALUE ? -1
                    : seconds(probe.getNanosToWaitForRefill());
            return new Verdict(limit, probe.isConsumed(), probe.getRemainingTokens(), wait,
                    seconds(probe.getNanosToWaitForReset()));
        }

        /** The IETF {@code RateLimit} header. */
        public String header() {
            return "\"images\";r=" + Math.max(0, remaining) + ";t=" + resetSeconds;
        }

        private static long seconds(long nanos) {
            return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private final Map<String, Bucket> local = new ConcurrentHashMap<>();
    /** Shared buckets: the last verdict this front saw, for answers that spend nothing. */
    private final Map<String, Verdict> lastSeen = new ConcurrentHashMap<>();
    private final RedisClient redis;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final AsyncProxyManager<String> shared;
    private final String prefix;

    private RateLimits(RedisClient redis, StatefulRedisConnection<String, byte[]> connection,
                       AsyncProxyManager<String> shared, String prefix) {
        this.redis = redis;
        this.connection = connection;
        this.shared = shared;
        this.prefix = prefix;
    }

    /** Buckets in this front's memory. */
    public static RateLimits local() {
        return new RateLimits(null, null, null, "");
    }

    /** Buckets in the Redis at {@code uri}, under {@code prefix}, shared with every front that uses it. */
    public static RateLimits shared(String uri, Duration timeout, String prefix) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        RedisClient client = RedisClient.create(redisUri);
        StatefulRedisConnection<String, byte[]> connection =
                client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        AsyncProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL))
                .build().asAsync();
        return new RateLimits(client, connection, proxies, prefix + "rate:");
    }

    /** Takes {@code images} from {@code client}'s bucket, if it holds them; completes on a Redis thread if shared. */
    public CompletableFuture<Verdict> spend(String client, Limit limit, long images) {
        String key = limit.bucketKey(client);
        if (shared == null) {
            Bucket bucket = local.computeIfAbsent(key, k -> Bucket.builder().addLimit(
                    limit.configuration().getBandwidths()[0]).build());
            return CompletableFuture.completedFuture(Verdict.of(limit, bucket.tryConsumeAndReturnRemaining(images)));
        }
        return shared.builder().build(prefix + key, () -> CompletableFuture.completedFuture(limit.configuration()))
                .tryConsumeAndReturnRemaining(images).thenApply(probe -> {
                    Verdict verdict = Verdict.of(limit, probe);
                    lastSeen.put(key, verdict);
                    return verdict;
                });
    }

    /**
     * What {@code client} holds now, spending nothing, without waiting: a local bucket is read; a shared one is
     * as this front last saw it (a full bucket if never). Its verdict allows one image if one is there.
     */
    public Verdict peek(String client, Limit limit) {
        String key = limit.bucketKey(client);
        long remaining;
        if (shared == null) {
            Bucket bucket = local.get(key);
            remaining = bucket == null ? limit.burst() : bucket.getAvailableTokens();
        } else {
            Verdict seen = lastSeen.get(key);
            remaining = seen == null ? limit.burst() : seen.remaining();
        }
        long toFull = (long) Math.ceil((limit.burst() - remaining) / limit.rate());
        long toOne = remaining >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - remaining) / limit.rate()));
        return new Verdict(limit, remaining >= 1, remaining, toOne, toFull);
    }

    /** Forgets the local buckets that are full again: their clients have nothing to be held to. */
    public void sweep() {
        lastSeen.clear();
        local.entrySet().removeIf(entry -> {
            Bucket bucket = entry.getValue();
            long capacity = Long.parseLong(entry.getKey().substring(entry.getKey().lastIndexOf('/') + 1));
            return bucket.getAvailableTokens() >= capacity;
        });
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            redis.shutdown();
        }
    }
}
