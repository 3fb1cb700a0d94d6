package io.graypipe.front.pipeline;

import io.graypipe.front.json.Json;
import io.graypipe.front.store.redis.RedisEvents;
import io.graypipe.front.store.redis.StoredEvent;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchChange;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.TaskStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The event feeds of tasks and batches held in Redis, for {@link SharedTasks}: each event is a Redis stream entry,
 * whose id is the SSE {@code id:}, so a client resumes with {@code Last-Event-ID} on any front. Feeds follow the
 * streams live (Lettuce's futures, no thread waits) and end after the final state.
 */
final class SharedEventFeeds {
    private final RedisEvents events;
    private final AsyncTasks reads;

    /** @param reads where the tasks' and batches' current state is read (the {@link SharedTasks} they belong to) */
    SharedEventFeeds(RedisEvents events, AsyncTasks reads) {
        this.events = events;
        this.reads = reads;
    }

    /**
     * What feeds {@code GET /tasks/{id}/events}, or empty when there is no such task: each state the task entered
     * after {@code lastEventId} (all of them when null), each with its stream entry id as the SSE {@code id:},
     * live as any front appends them, up to the final one.
     */
    CompletableFuture<Optional<Consumer<EventSink>>> taskEvents(String id, String lastEventId) {
        return reads.status(id).thenApply(found -> found.map(status -> sink -> {
            if (status.status().isFinal()) {
                events.taskEvents(id, lastEventId).whenComplete((past, error) -> {
                    if (past != null) {
                        past.forEach(event -> sendTaskEvent(sink, event));
                    }
                    sink.end();
                });
                return;
            }
            Following following = new Following();
            following.started(events.followTask(id, lastEventId, event -> {
                if (sendTaskEvent(sink, event)) {
                    sink.end();
                    following.stop();
                }
            }));
            sink.onClose(following::stop);
        }));
    }

    /** Sends one task event; true when it was the final one. */
    private static boolean sendTaskEvent(EventSink sink, StoredEvent event) {
        TaskStatus status = parse(event);
        sink.send(event.id(), event.event(), status);
        return status.status().isFinal();
    }

    /**
     * What feeds {@code GET /batches/{id}/events}, or empty when there is no such batch: a {@code progress} event
     * with the whole batch (unless resuming from {@code lastEventId}), a {@code task} event per state change of any
     * of its tasks (id: its stream entry id), and {@code done} with the whole batch once every task is final.
     */
    CompletableFuture<Optional<Consumer<EventSink>>> batchEvents(String id, String lastEventId) {
        return reads.batch(id).thenApply(found -> found.map(snapshot -> sink -> {
            if (lastEventId == null) {
                sink.send(null, "progress", snapshot);
            }
            if (snapshot.finished()) {
                CompletableFuture<List<StoredEvent>> missed = lastEventId == null
                        ? CompletableFuture.completedFuture(List.of()) : events.batchEvents(id, lastEventId);
                missed.whenComplete((past, error) -> {
                    if (past != null) {
                        past.stream().filter(SharedEventFeeds::isTaskEvent).forEach(event -> sink.send(event.id(), "task",
                                new BatchChange(parse(event), snapshot.summary())));
                    }
                    sink.send(null, "done", snapshot);
                    sink.end();
                });
                return;
            }
            // Without Last-Event-ID the snapshot already shows every past event: follow from the newest one.
            CompletableFuture<String> from = lastEventId != null ? CompletableFuture.completedFuture(lastEventId)
                    : events.batchEvents(id, null).thenApply(past -> past.isEmpty() ? null : past.get(past.size() - 1).id());
            from.whenComplete((afterId, error) -> {
                Following following = new Following();
                AtomicBoolean ended = new AtomicBoolean();
                Consumer<Batch.BatchStatus> endIfFinished = now -> {
                    if (now.finished() && ended.compareAndSet(false, true)) {
                        following.stop();
                        sink.send(null, "done", now);
                        sink.end();
                    }
                };
                following.started(events.followBatch(id, afterId, event -> reads.batch(id).whenComplete((now, readError) -> {
                    if (now == null || now.isEmpty() || ended.get()) {
                        return;
                    }
                    if (isTaskEvent(event)) {
                        sink.send(event.id(), "task", new BatchChange(parse(event), now.get().summary()));
                    }
                    endIfFinished.accept(now.get());
                })));
                sink.onClose(following::stop);
                // The batch may have finished between the snapshot and the newest event read above (its last
                // event then precedes the follow): read it once more now that the follow is in place.
                reads.batch(id).thenAccept(now -> now.ifPresent(endIfFinished));
            });
        }));
    }

    /** A batch's stream holds its tasks' state changes, and one {@code closed} event when an open batch closes. */
    private static boolean isTaskEvent(StoredEvent event) {
        return !"closed".equals(event.event());
    }

    /**
     * One follow of an event stream, which may have to stop before {@link RedisEvents} has even returned it: its
     * first events are read on a Lettuce thread while the caller is still in {@code follow}.
     */
    private static final class Following {
        private final AtomicReference<RedisEvents.Subscription> subscription = new AtomicReference<>();
        private final AtomicBoolean stopped = new AtomicBoolean();

        void started(RedisEvents.Subscription started) {
            subscription.set(started);
            if (stopped.get()) {
                started.close();
            }
        }

        void stop() {
            stopped.set(true);
            RedisEvents.Subscription current = subscription.get();
            if (current != null) {
                current.close();
            }
        }
    }

    private static TaskStatus parse(StoredEvent event) {
        try {
            return Json.MAPPER.readValue(event.status(), TaskStatus.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable event " + event.id(), e);
        }
    }
}
