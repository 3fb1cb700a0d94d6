package io.graypipe.front.store.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The queue of accepted async tasks, shared fairly between clients: one Redis Stream per client (its owner, recorded
 * with the task), each read through one consumer group in which each front is a consumer, and a ring of the clients
 * with new tasks. {@link #take} claims entries atomically, in one script ({@link RedisScripts#TAKE}): abandoned ones
 * first, then new ones by deficit round robin between clients, so a client's single task is not behind another's
 * thousand, and each client's own tasks keep their order. An entry a front has taken stays pending, owned by that
 * front, until {@link RedisTasks} finishes its task and acknowledges it in the same script. A live front
 * {@link #touch touches} the entries it is working on every {@link #TOUCH_INTERVAL}; an entry nobody touched for
 * the claim idle time ({@link #CLAIM_IDLE} in production) belongs to a front that died or was cut off, and the next
 * {@link #take} by any front claims it with {@code XAUTOCLAIM}. docs/scale-out.md explains the choice of times.
 */
public final class RedisWorkQueue {
    /** How long an entry may go untouched before another front takes it over. */
    public static final Duration CLAIM_IDLE = Duration.ofSeconds(30);
    /** How often a front touches the entries it is working on; three touches fit in one claim idle time. */
    public static final Duration TOUCH_INTERVAL = Duration.ofSeconds(10);

    private final RedisAsyncCommands<String, byte[]> redis;
    private final RedisAsyncCommands<String, byte[]> blocking;
    private final RedisKeys keys;
    private final Consumer<String> consumer;
    private final Duration claimIdle;

    /**
     * @param consumerName this front's name in the groups; unique per front process, and the same for its whole life
     * @param claimIdle    {@link #CLAIM_IDLE}, shorter in tests
     */
    public RedisWorkQueue(RedisConnections connections, String consumerName, Duration claimIdle) {
        this.redis = connections.commands();
        this.blocking = connections.blocking();
        this.keys = connections.keys();
        this.consumer = Consumer.from(RedisKeys.GROUP, consumerName);
        this.claimIdle = claimIdle;
    }

    /**
     * Up to {@code max} tasks for this front: first entries abandoned by other fronts, then new ones, client by
     * client; when there is none, it waits up to {@code block} for a new task's token and looks once more. The wait
     * holds only the queue's own connection, never a thread.
     */
    public CompletableFuture<List<WorkItem>> take(int max, Duration block) {
        return takeNow(max).thenCompose(items -> {
            if (!items.isEmpty()) {
                return CompletableFuture.completedFuture(items);
            }
            return RedisErrors.translated(blocking.blpop(block.toMillis() / 1000.0, keys.workWake()))
                    .thenCompose(token -> token == null ? CompletableFuture.completedFuture(List.of()) : takeNow(max));
        }).exceptionallyCompose(error -> CompletableFuture.failedFuture(RedisErrors.translate(error)));
    }

    private CompletableFuture<List<WorkItem>> takeNow(int max) {
        return RedisErrors.translated(redis.<List<Object>>eval(RedisScripts.TAKE, ScriptOutputType.MULTI, keys.take(),
                        RedisValues.text(RedisKeys.GROUP), RedisValues.text(consumer.getName()),
                        RedisValues.text(Integer.toString(max)), RedisValues.text(Long.toString(claimIdle.toMillis()))))
                .thenApply(RedisWorkQueue::items);
    }

    private static List<WorkItem> items(List<Object> reply) {
        List<WorkItem> items = new ArrayList<>(reply.size());
        for (Object row : reply) {
            List<?> fields = (List<?>) row;
            items.add(new WorkItem(RedisValues.string((byte[]) fields.get(0)), RedisValues.string((byte[]) fields.get(1)),
                    RedisValues.string((byte[]) fields.get(2)), ((Number) fields.get(3)).longValue()));
        }
        return items;
    }

    /** Tells the other fronts that this one is still working on these entries, so they are not claimed. */
    public CompletableFuture<Void> touch(Collection<WorkItem> items) {
        Map<String, List<String>> byQueue = items.stream().collect(Collectors.groupingBy(WorkItem::queue,
                Collectors.mapping(WorkItem::entryId, Collectors.toList())));
        CompletableFuture<?>[] touches = byQueue.entrySet().stream()
                .map(queue -> RedisErrors.translated(redis.xclaim(queue.getKey(), consumer, XClaimArgs.Builder.justid(),
                        queue.getValue().toArray(String[]::new))))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(touches);
    }

    /** Removes an entry whose task is gone (deleted or expired before anyone processed it). */
    public CompletableFuture<Void> drop(WorkItem item) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.DROP_WORK, ScriptOutputType.INTEGER,
                        new String[] {item.queue()}, RedisValues.text(keys.control()), RedisValues.text(RedisKeys.GROUP),
                        RedisValues.text(item.entryId())))
                .thenApply(dropped -> null);
    }
}
