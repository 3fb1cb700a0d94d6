package io.graypipe.front.store.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The queue of accepted async tasks: one Redis Stream read through one consumer group, in which each front is a
 * consumer. An entry a front has taken stays pending, owned by that front, until {@link RedisTasks} finishes its
 * task and acknowledges it in the same script. A live front {@link #touch touches} the entries it is working on
 * every {@link #TOUCH_INTERVAL}; an entry nobody touched for the claim idle time ({@link #CLAIM_IDLE} in
 * production) belongs to a front that died or was cut off, and the next {@link #take} by any front claims it with
 * {@code XAUTOCLAIM}. docs/scale-out.md explains the choice of times.
 */
public final class RedisWorkQueue {
    /** How long an entry may go untouched before another front takes it over. */
    public static final Duration CLAIM_IDLE = Duration.ofSeconds(30);
    /** How often a front touches the entries it is working on; three touches fit in one claim idle time. */
    public static final Duration TOUCH_INTERVAL = Duration.ofSeconds(10);

    private final RedisAsyncCommands<String, byte[]> redis;
    private final RedisAsyncCommands<String, byte[]> blocking;
    private final String stream;
    private final Consumer<String> consumer;
    private final Duration claimIdle;

    /**
     * @param consumerName this front's name in the group; unique per front process, and the same for its whole life
     * @param claimIdle    {@link #CLAIM_IDLE}, shorter in tests
     */
    public RedisWorkQueue(RedisConnections connections, String consumerName, Duration claimIdle) {
        this.redis = connections.commands();
        this.blocking = connections.blocking();
        this.stream = connections.keys().work();
        this.consumer = Consumer.from(RedisKeys.GROUP, consumerName);
        this.claimIdle = claimIdle;
    }

    /**
     * Creates the consumer group (and the stream) unless it exists. Safe to call from every front at once; reads
     * call it again when Redis lost the group (a restart without persistence).
     */
    public CompletableFuture<Void> ensureGroup() {
        return RedisErrors.translated(redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), RedisKeys.GROUP,
                        XGroupCreateArgs.Builder.mkstream()))
                .handle((ok, error) -> {
                    if (error != null && !(error.getMessage() != null && error.getMessage().startsWith("BUSYGROUP"))) {
                        throw RedisErrors.translate(error) instanceof RuntimeException runtime ? runtime
                                : new IllegalStateException(error);
                    }
                    return null;
                });
    }

    /**
     * Up to {@code max} tasks for this front: first entries abandoned by other fronts, then new ones, waiting up to
     * {@code block} for one to arrive. The wait holds only the queue's own connection, never a thread.
     */
    public CompletableFuture<List<WorkItem>> take(int max, Duration block) {
        CompletableFuture<ClaimedMessages<String, byte[]>> claimed = RedisErrors.translated(redis.xautoclaim(stream,
                XAutoClaimArgs.Builder.xautoclaim(consumer, claimIdle, "0-0").count(max)));
        return claimed.thenCompose(abandoned -> {
            if (!abandoned.getMessages().isEmpty()) {
                return withDeliveries(abandoned.getMessages());
            }
            return RedisErrors.translated(blocking.xreadgroup(consumer, XReadArgs.Builder.block(block).count(max),
                    XReadArgs.StreamOffset.lastConsumed(stream))).thenApply(fresh -> fresh.stream()
                    .map(message -> item(message, 1)).toList());
        }).exceptionallyCompose(error -> {
            if (RedisErrors.isMissingGroup(error)) {
                return ensureGroup().thenApply(created -> List.of());
            }
            return CompletableFuture.failedFuture(RedisErrors.translate(error));
        });
    }

    /** Tells the other fronts that this one is still working on these entries, so they are not claimed. */
    public CompletableFuture<Void> touch(Collection<String> entryIds) {
        if (entryIds.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return RedisErrors.translated(redis.xclaim(stream, consumer, XClaimArgs.Builder.justid(),
                entryIds.toArray(String[]::new))).thenApply(kept -> null);
    }

    /** Removes an entry whose task is gone (deleted or expired before anyone processed it). */
    public CompletableFuture<Void> drop(String entryId) {
        return RedisErrors.translated(redis.xack(stream, RedisKeys.GROUP, entryId))
                .thenCompose(acked -> RedisErrors.translated(redis.xdel(stream, entryId)))
                .thenApply(deleted -> null);
    }

    /**
     * Claimed entries with the number of times each has now been handed to a front, which Redis counts for us:
     * {@code XAUTOCLAIM} adds one, the {@link #touch} of a live front ({@code JUSTID}) does not.
     */
    private CompletableFuture<List<WorkItem>> withDeliveries(List<StreamMessage<String, byte[]>> claimed) {
        Range<String> ids = Range.create(claimed.get(0).getId(), claimed.get(claimed.size() - 1).getId());
        return RedisErrors.translated(redis.xpending(stream, consumer, ids, Limit.from(claimed.size())))
                .thenApply(pending -> {
                    Map<String, Long> deliveries = pending.stream()
                            .collect(Collectors.toMap(PendingMessage::getId, PendingMessage::getRedeliveryCount));
                    // An entry acknowledged since the claim is no longer pending: count it as claimed once.
                    return claimed.stream()
                            .map(message -> item(message, deliveries.getOrDefault(message.getId(), 2L)))
                            .toList();
                });
    }

    private static WorkItem item(StreamMessage<String, byte[]> message, long deliveries) {
        return new WorkItem(message.getId(), RedisTasks.string(message.getBody().get("task")), deliveries);
    }
}
