package io.graypipe.front.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cache every front of a cluster shares, in the Redis of {@code --store}: one string per entry
 * ({@code PREFIX cache:ID}, expiring after {@code --cache-ttl}), and beside them a sorted set of entries by last
 * use, a hash of their sizes and their total. Each store is one Lua script that also evicts the least recently
 * used entries until the total is within {@code --cache-size}, so the budget holds whichever front writes.
 *
 * <p>Redis away is the cache off: its own connection rejects commands at once while disconnected (Lettuce
 * reconnects in the background), a lookup is a miss and a store is dropped, and hits resume with Redis.
 */
public final class RedisCache extends BudgetedCache {
    private static final Logger log = LoggerFactory.getLogger(RedisCache.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** KEYS: entry, lru, sizes, total. ARGV: entry bytes, ttl ms, budget. Returns {evicted, total}. */
    static final String PUT = """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local ttl = tonumber(ARGV[2])
            local total = tonumber(redis.call('GET', KEYS[4]) or '0')
            local function forget(k)
              total = total - tonumber(redis.call('HGET', KEYS[3], k) or '0')
              redis.call('HDEL', KEYS[3], k)
              redis.call('ZREM', KEYS[2], k)
              redis.call('DEL', k)
            end
            for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - ttl, 'LIMIT', 0, 100)) do
              forget(k)
            end
            local old = redis.call('HGET', KEYS[3], KEYS[1])
            if old then total = total - tonumber(old) end
            local size = string.len(ARGV[1])
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
            redis.call('ZADD', KEYS[2], now, KEYS[1])
            redis.call('HSET', KEYS[3], KEYS[1], size)
            total = total + size
            local evicted = 0
            while total > tonumber(ARGV[3]) do
              local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
              if #oldest == 0 then break end
              forget(oldest[1])
              evicted = evicted + 1
            end
            redis.call('SET', KEYS[4], total)
            return {evicted, total}
            """;

    /** KEYS: entry, lru. ARGV: ttl ms. A hit is a use: the entry lives another TTL and is evicted last. */
    static final String TOUCH = """
            if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 1 then
              local t = redis.call('TIME')
              redis.call('ZADD', KEYS[2], 'XX', t[1] * 1000 + math.floor(t[2] / 1000), KEYS[1])
            end
            return 0
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final String prefix;
    private final Duration ttl;
    private final Duration timeout;

    private RedisCache(RedisClient client, StatefulRedisConnection<String, byte[]> connection, String prefix,
                       long maxBytes, Duration ttl, Duration timeout) {
        super(maxBytes);
        this.client = client;
        this.connection = connection;
        this.prefix = prefix + "cache:";
        this.ttl = ttl;
        this.timeout = timeout;
    }

    /**
     * Connects to {@code uri}, the same Redis as the task store.
     *
     * @param timeout how long a lookup waits for Redis before it is a miss
     */
    public static RedisCache open(String uri, String prefix, long maxBytes, Duration ttl, Duration timeout) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        RedisClient client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        try {
            return new RedisCache(client, client.connect(CODEC), prefix, maxBytes, ttl, timeout);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public Optional<CachedImage> get(CacheKey key) {
        String id = key.id();
        String entryKey = prefix + id;
        RedisAsyncCommands<String, byte[]> redis = connection.async();
        byte[] entry;
        try {
            entry = redis.get(entryKey).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("result cache lookup in Redis failed, a miss: {}", e.toString());
            return Optional.empty();
        }
        if (entry == null) {
            return Optional.empty();
        }
        try {
            CachedImage image = EntryCodec.decode(id, entry);
            redis.eval(TOUCH, ScriptOutputType.INTEGER, new String[] {entryKey, prefix + "lru"},
                    bytes(ttl.toMillis()));
            return Optional.of(image);
        } catch (EntryCodec.CorruptEntryException e) {
            log.warn("result cache entry {} in Redis is damaged ({}); deleted, the result is computed again", id,
                    e.getMessage());
            stats.corrupt();
            redis.del(entryKey);
            return Optional.empty();
        }
    }

    @Override
    public void put(CacheKey key, CachedImage image) {
        String id = key.id();
        writer.submit(() -> {
            byte[] entry = EntryCodec.encode(id, image);
            if (entry.length > maxBytes) {
                return;
            }
            try {
                List<Object> outcome = connection.async().<List<Object>>eval(PUT, ScriptOutputType.MULTI,
                        new String[] {prefix + id, prefix + "lru", prefix + "sizes", prefix + "bytes"}, entry,
                        bytes(ttl.toMillis()), bytes(maxBytes)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                stats.evicted((Long) outcome.get(0));
                used.set((Long) outcome.get(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                stats.dropped();
                log.debug("result cache store in Redis failed, dropped: {}", e.toString());
            }
        });
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public void close() {
        super.close();
        connection.close();
        client.shutdown();
    }
}
