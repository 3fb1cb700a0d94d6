package io.graypipe.front.store.redis;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The events of tasks and batches, whichever front made them. Each task and each batch has a Redis Stream of
 * events, so a client can replay from any event id ({@code Last-Event-ID}) on any front. To follow a stream live,
 * a front listens on one pub/sub channel on which every script announces the stream it appended to, and then
 * reads that stream from the last id it delivered: pub/sub only says "look", the stream says what, so a missed
 * announcement (say, while Redis was away) delays events but never loses them: on resubscribing, every follower
 * reads again.
 */
public final class RedisEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisEvents.class);

    /** A live follow; closing it stops deliveries. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final RedisAsyncCommands<String, byte[]> redis;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private final RedisKeys keys;
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final RedisPubSubAdapter<String, byte[]> listener = new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, byte[] stream) {
            Set<Follower> following = followers.get(new String(stream, StandardCharsets.UTF_8));
            if (following != null) {
                following.forEach(Follower::poke);
            }
        }

        @Override
        public void subscribed(String channel, long count) {
            subscribed = true;
            // Also called after Lettuce reconnects and resubscribes: announcements may have been missed meanwhile.
            followers.values().forEach(set -> set.forEach(Follower::poke));
        }
    };
    /** Whether the announcements channel was subscribed once; Lettuce keeps it subscribed across reconnects. */
    private volatile boolean subscribed;

    public RedisEvents(RedisConnections connections) {
        this.redis = connections.commands();
        this.pubSub = connections.pubSub();
        this.keys = connections.keys();
        pubSub.addListener(listener);
        subscribe();
    }

    /** Subscribes to the announcements; refused while Redis is away, so each new follow tries again until it works. */
    private void subscribe() {
        pubSub.async().subscribe(keys.announcements()).exceptionally(error -> {
            log.debug("cannot subscribe to {} yet", keys.announcements(), error);
            return null;
        });
    }

    /** The task's events after {@code afterId} (all of them when null), oldest first. */
    public CompletableFuture<List<StoredEvent>> taskEvents(String taskId, String afterId) {
        return read(keys.taskEvents(taskId), afterId);
    }

    /** The batch's events after {@code afterId} (all of them when null), oldest first. */
    public CompletableFuture<List<StoredEvent>> batchEvents(String batchId, String afterId) {
        return read(keys.batchEvents(batchId), afterId);
    }

    /**
     * Calls {@code listener} with each event of the task after {@code afterId} (from the first when null), in
     * order, the ones already there and then new ones as any front appends them, until closed. The listener runs
     * on a Lettuce I/O thread, one event at a time, and must not block.
     */
    public Subscription followTask(String taskId, String afterId, Consumer<StoredEvent> listener) {
        return follow(keys.taskEvents(taskId), afterId, listener);
    }

    /** Like {@link #followTask}, for a batch's events. */
    public Subscription followBatch(String batchId, String afterId, Consumer<StoredEvent> listener) {
        return follow(keys.batchEvents(batchId), afterId, listener);
    }

    private Subscription follow(String stream, String afterId, Consumer<StoredEvent> listener) {
        Follower follower = new Follower(stream, afterId, listener);
        followers.computeIfAbsent(stream, key -> ConcurrentHashMap.newKeySet()).add(follower);
        if (!subscribed) {
            subscribe();
        }
        follower.poke();
        return follower;
    }

    private CompletableFuture<List<StoredEvent>> read(String stream, String afterId) {
        Range<String> range = afterId == null ? Range.create("-", "+")
                : Range.from(Range.Boundary.excluding(afterId), Range.Boundary.unbounded());
        return RedisErrors.translated(redis.xrange(stream, range))
                .thenApply(messages -> messages.stream().map(RedisEvents::event).toList());
    }

    private static StoredEvent event(StreamMessage<String, byte[]> message) {
        Map<String, byte[]> body = message.getBody();
        return new StoredEvent(message.getId(), RedisValues.string(body.get("event")),
                RedisValues.string(body.get("task")), body.get("data"));
    }

    @Override
    public void close() {
        pubSub.removeListener(listener);
        followers.clear();
    }

    /**
     * One follow of one stream. Reads never overlap: a poke during a read makes the reader read once more when it
     * is done, so each event is delivered once and in order.
     */
    private final class Follower implements Subscription {
        private final String stream;
        private final Consumer<StoredEvent> listener;
        private final AtomicBoolean reading = new AtomicBoolean();
        private final AtomicBoolean pokedWhileReading = new AtomicBoolean();
        /** Written and read only by the one reader at a time; the reading flag orders successive readers. */
        private volatile String lastId;
        private volatile boolean closed;

        Follower(String stream, String afterId, Consumer<StoredEvent> listener) {
            this.stream = stream;
            this.lastId = afterId;
            this.listener = listener;
        }

        void poke() {
            pokedWhileReading.set(true);
            if (closed || !reading.compareAndSet(false, true)) {
                return;
            }
            pokedWhileReading.set(false);
            read(stream, lastId).whenComplete((events, error) -> {
                if (error != null) {
                    log.debug("cannot read {}; will read again on the next announcement", stream, error);
                } else {
                    for (StoredEvent event : events) {
                        if (closed) {
                            break;
                        }
                        lastId = event.id();
                        deliver(event);
                    }
                }
                reading.set(false);
                if (error == null && pokedWhileReading.get()) {
                    poke();
                }
            });
        }

        private void deliver(StoredEvent event) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("a follower of {} failed", stream, e);
            }
        }

        @Override
        public void close() {
            closed = true;
            Set<Follower> following = followers.get(stream);
            if (following != null) {
                following.remove(this);
                followers.computeIfPresent(stream, (key, set) -> set.isEmpty() ? null : set);
            }
        }
    }
}
