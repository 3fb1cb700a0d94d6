package io.graypipe.front.store.redis;

import io.graypipe.front.store.StoreException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.time.Duration;

/**
 * One front's connections to Redis: keys are strings, values bytes (records are JSON, uploads and results are
 * images). Commands go through Lettuce's asynchronous API, so no caller thread ever waits on Redis; their futures
 * complete on Lettuce's own I/O threads.
 *
 * <p>Three connections, because two kinds of command must not share one: the blocking read of the work queue
 * ({@code XREADGROUP BLOCK}) would hold up every command queued behind it, and a connection that subscribes to
 * pub/sub can do nothing else.
 *
 * <p>While Redis is unreachable, commands are refused at once instead of queueing until it returns: the caller
 * gets {@link StoreException.Reason#STORAGE_UNAVAILABLE} and answers 503. Lettuce keeps reconnecting in the
 * background and re-subscribes the pub/sub connection when it succeeds.
 */
public final class RedisConnections implements AutoCloseable {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> commands;
    private final StatefulRedisConnection<String, byte[]> blocking;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private final RedisKeys keys;

    private RedisConnections(RedisClient client, StatefulRedisConnection<String, byte[]> commands,
                             StatefulRedisConnection<String, byte[]> blocking,
                             StatefulRedisPubSubConnection<String, byte[]> pubSub, RedisKeys keys) {
        this.client = client;
        this.commands = commands;
        this.blocking = blocking;
        this.pubSub = pubSub;
        this.keys = keys;
    }

    /**
     * Connects to {@code uri} ({@code redis://[user:password@]host:port[/db]}).
     *
     * @param timeout how long one command may take before it fails as unavailable
     * @param prefix  put in front of every key, e.g. {@code graypipe:}
     * @throws StoreException STORAGE_UNAVAILABLE when Redis cannot be reached now
     */
    public static RedisConnections open(String uri, Duration timeout, String prefix) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        RedisClient client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        StatefulRedisConnection<String, byte[]> commands = null;
        StatefulRedisConnection<String, byte[]> blocking = null;
        try {
            commands = client.connect(CODEC);
            blocking = client.connect(CODEC);
            StatefulRedisPubSubConnection<String, byte[]> pubSub = client.connectPubSub(CODEC);
            return new RedisConnections(client, commands, blocking, pubSub, new RedisKeys(prefix));
        } catch (RuntimeException e) {
            if (blocking != null) {
                blocking.close();
            }
            if (commands != null) {
                commands.close();
            }
            client.shutdown();
            throw RedisErrors.translate(e) instanceof StoreException store ? store : e;
        }
    }

    /** Whether the command connection is up now; Lettuce reconnects in the background while it is not. */
    public boolean isConnected() {
        return commands.isOpen();
    }

    RedisAsyncCommands<String, byte[]> commands() {
        return commands.async();
    }

    /** For {@code XREADGROUP BLOCK} only. */
    RedisAsyncCommands<String, byte[]> blocking() {
        return blocking.async();
    }

    StatefulRedisPubSubConnection<String, byte[]> pubSub() {
        return pubSub;
    }

    RedisKeys keys() {
        return keys;
    }

    @Override
    public void close() {
        pubSub.close();
        blocking.close();
        commands.close();
        client.shutdown();
    }
}
