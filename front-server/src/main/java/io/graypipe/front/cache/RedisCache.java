package io.graypipe.front.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
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
 * ({@code PREFIX cache:{ID}}, expiring after {@code --cache-ttl}), and beside them an index: a sorted set of entries
 * by last use, a hash of their sizes and their total. Each store sets the entry, then runs one Lua script on the
 * index that records it and picks the least recently used entries to evict until the total is within
 * {@code --cache-size}, so the budget holds whichever front writes; the evicted entries are then deleted one by one.
 *
 * <p>Laid out for Redis Cluster: each entry is tagged by its own id, so entries spread over every shard, and the
 * index keys share one tag ({@code {PREFIX cache}}), so the script touches one slot. Between the entry's
 * {@code SET} and the index script, or the script and a {@code DEL}, another front may read or store the same
 * entry; the worst outcome is an entry counted for a while after it is gone, or the reverse, never a wrong answer.
 *
 * <p>Redis away is the cache off: its own connection rejects commands at once while disconnected (Lettuce
 * reconnects in the background), a lookup is a miss and a store is dropped, and hits resume with Redis.
 */
public final class RedisCache extends BudgetedCache {
    private static final Logger log = LoggerFactory.getLogger(RedisCache.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /**
     * Records a stored entry in the index. KEYS: lru, sizes, total. ARGV: entry key, its size, ttl ms, budget.
     * Entries whose TTL passed leave the index (Redis expired them already); then the least recently used leave it
     * until the total is within the budget. Returns {total, the keys of the evicted entries, for the caller to
     * delete}.
     */
    static final String INDEX = """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local total = tonumber(redis.call('GET', KEYS[3]) or '0')
            local function forget(k)
              total = total - tonumber(redis.call('HGET', KEYS[2], k) or '0')
              redis.call('HDEL', KEYS[2], k)
              redis.call('ZREM', KEYS[1], k)
            end
            for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 100)) do
              forget(k)
            end
            forget(ARGV[1])
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            total = total + tonumber(ARGV[2])
            local evicted = {}
            while total > tonumber(ARGV[4]) do
              local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)
              if #oldest == 0 then break end
              forget(oldest[1])
              evicted[#evicted + 1] = oldest[1]
            end
            redis.call('SET', KEYS[3], total)
            return {total, unpack(evicted)}
            """;

    /** KEYS: lru. ARGV: entry key. A hit is a use: the entry is evicted last (its TTL is renewed beside this). */
    static final String TOUCH = """
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[1], 'XX', t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
            return 0
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final String prefix;
    private final String[] index;
    private final Duration ttl;
    private final Duration timeout;

    private RedisCache(RedisClient client, StatefulRedisConnection<String, byte[]> connection, String prefix,
                       long maxBytes, Duration ttl, Duration timeout) {
        super(maxBytes);
        this.client = client;
        this.connection = connection;
        this.prefix = prefix;
        this.index = indexKeys(prefix);
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
        String entryKey = entryKey(prefix, id);
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
            redis.pexpire(entryKey, ttl.toMillis());
            redis.eval(TOUCH, ScriptOutputType.INTEGER, new String[] {index[0]}, entryKey.getBytes(StandardCharsets.UTF_8));
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
            String entryKey = entryKey(prefix, id);
            RedisAsyncCommands<String, byte[]> redis = connection.async();
            try {
                redis.set(entryKey, entry, SetArgs.Builder.px(ttl.toMillis())).get(timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
                List<Object> outcome = redis.<List<Object>>eval(INDEX, ScriptOutputType.MULTI, index,
                        entryKey.getBytes(StandardCharsets.UTF_8), bytes(entry.length), bytes(ttl.toMillis()),
                        bytes(maxBytes)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                used.set((Long) outcome.get(0));
                List<Object> evicted = outcome.subList(1, outcome.size());
                evicted.forEach(gone -> redis.del(new String((byte[]) gone, StandardCharsets.UTF_8)));
                stats.evicted(evicted.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                stats.dropped();
                log.debug("result cache store in Redis failed, dropped: {}", e.toString());
            }
        });
    }

    /** An entry's key: tagged by its own id, so entries spread over a Redis Cluster's shards. */
    static String entryKey(String prefix, String id) {
        return prefix + "cache:{" + id + "}";
    }

    /** The index's keys (last use, sizes, total), under one hash tag so the index script touches one slot. */
    static String[] indexKeys(String prefix) {
        String tag = "{" + prefix + "cache}:";
        return new String[] {tag + "lru", tag + "sizes", tag + "bytes"};
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
