package io.graypipe.front.store.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.Timeline;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;

import static io.graypipe.front.store.redis.RedisValues.string;
import static io.graypipe.front.store.redis.RedisValues.text;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Async task state in Redis, shared by every front: task records, uploads waiting to be processed, and results that
 * expire after the result TTL ({@link RedisBatches} keeps a batch's members longer). Every change of a task goes through one Lua script
 * ({@link RedisScripts}), which also appends the task's event and, when the task is new, its entry in the work
 * queue ({@link RedisWorkQueue}). docs/scale-out.md lists the keys.
 *
 * <p>Uploads and results live in their own Redis Cluster slots ({@link RedisKeys}), so the scripts do not touch
 * them; single-key commands around each script keep what the scripts alone used to promise. An upload is stored
 * before its task (a task is never queued without its upload; a front that dies in between leaves an upload that
 * expires after {@link #UPLOAD_TTL}). A result is stored, under a key of its own finisher, before the {@code done}
 * that names it (a task is never done without its result, and the result of a front that lost the race never
 * replaces the winner's: readers never see two different results). Uploads are deleted after the task is final,
 * a loser's result at once, and the winner's when the task is deleted (or with its TTL).
 *
 * <p>Nothing here blocks: each method returns at once with a future that completes on one of Lettuce's I/O
 * threads, or fails with a {@link io.graypipe.front.store.StoreException} when Redis is down or full. Callers must
 * not block in what they chain onto it.
 */
public final class RedisTasks {
    /** What a change did. */
    public enum Change {
        /** This call changed the task. */
        CHANGED,
        /** The task was final already, so nothing changed: someone else finished, failed or cancelled it first. */
        ALREADY_FINAL,
        /** The task is gone: deleted, or expired after the result TTL. */
        GONE
    }

    private static final int DELETE_ATTEMPTS = 5;
    /**
     * How long an upload is kept at most. It is deleted as soon as its task is final; the expiry only clears the
     * upload of a task never created (its front died between the two commands), and a task not started within it
     * fails as lost.
     */
    static final Duration UPLOAD_TTL = Duration.ofDays(1);

    private final RedisAsyncCommands<String, byte[]> redis;
    private final RedisKeys keys;
    private final RedisValues values;
    private final Clock clock;
    private final Duration resultTtl;

    /**
     * @param json      the front's one JSON mapper, so records read the same as the data directory's
     * @param resultTtl how long a finished task, its result and its events are kept
     */
    public RedisTasks(RedisConnections connections, ObjectMapper json, Clock clock, Duration resultTtl) {
        this.redis = connections.commands();
        this.keys = connections.keys();
        this.values = new RedisValues(json);
        this.clock = clock;
        this.resultTtl = resultTtl;
    }

    public Duration resultTtl() {
        return resultTtl;
    }

    /**
     * Stores a new task with its upload and queues it for processing, all at once: once the future completes, any
     * front can read it and some front will process it. The task joins its owner's queue, and is run under that
     * owner by whichever front takes it ({@link RedisWorkQueue}). Completes with the id of the task's first event.
     */
    public CompletableFuture<String> create(TaskRecord record, ClientId owner, byte[] upload) {
        TaskStatus status = record.task();
        String id = status.id();
        CompletableFuture<byte[]> created = RedisErrors.translated(redis.set(keys.upload(id), upload,
                        SetArgs.Builder.px(UPLOAD_TTL.toMillis())))
                .thenCompose(stored -> RedisErrors.translated(redis.<byte[]>eval(RedisScripts.CREATE,
                        ScriptOutputType.VALUE, keys.create(id, owner.share().key()), text(id),
                        text(status.status().label()), bytes(status),
                        text(record.format() == null ? "" : record.format()), text(Integer.toString(record.quality())),
                        text(keys.control()), bytes(owner), text(Integer.toString(owner.share().weight())),
                        text(RedisKeys.GROUP))));
        return created.whenComplete((eventId, error) -> {
            if (error != null) {
                redis.del(keys.upload(id)); // best effort: otherwise it expires after UPLOAD_TTL
            }
        }).thenApply(eventId -> new String(eventId, StandardCharsets.UTF_8));
    }

    /** The task, or empty when it never existed, was deleted or expired. */
    public CompletableFuture<Optional<StoredTask>> find(String id) {
        return RedisErrors.translated(redis.hgetall(keys.task(id))).thenApply(fields -> {
            if (fields.isEmpty()) {
                return Optional.empty();
            }
            String format = string(fields.get("format"));
            String batch = string(fields.get("batch"));
            TaskRecord record = new TaskRecord(parse(fields.get("status"), TaskStatus.class),
                    format.isEmpty() ? null : format, Integer.parseInt(string(fields.get("quality"))));
            // Tasks stored before owners were recorded have none: they run as ClientId.UNKNOWN's.
            byte[] owner = fields.get("owner");
            return Optional.of(new StoredTask(record, batch.isEmpty() ? null : batch,
                    owner == null ? ClientId.UNKNOWN : parse(owner, ClientId.class)));
        });
    }

    /** The output image of a done task, or empty when there is none (not done, expired or deleted). */
    public CompletableFuture<Optional<byte[]>> readResult(String id) {
        return RedisErrors.translated(redis.hget(keys.task(id), "result")).thenCompose(key -> key == null
                || key.length == 0 ? CompletableFuture.completedFuture(Optional.<byte[]>empty())
                : RedisErrors.translated(redis.get(string(key))).thenApply(Optional::ofNullable));
    }

    /** The uploaded image of a task not final yet, or empty once it is final or gone. */
    public CompletableFuture<Optional<byte[]>> readUpload(String id) {
        return RedisErrors.translated(redis.get(keys.upload(id))).thenApply(Optional::ofNullable);
    }

    /**
     * Records a change short of final (a new stage, or the input's size). A new state is also an event of the task
     * and of its batch.
     */
    public CompletableFuture<Change> update(TaskStatus status) {
        if (status.status().isFinal()) {
            throw new IllegalArgumentException("final states go through complete() or finish(): " + status.status());
        }
        String id = status.id();
        return change(redis.<Long>eval(RedisScripts.UPDATE, ScriptOutputType.INTEGER, keys.update(id),
                text(id), text(status.status().label()), bytes(status), text(keys.control())));
    }

    /**
     * Stores the result and marks the task done, in one step: a reader sees both or neither. Only the first
     * finisher counts; a later one (a front that claimed the task meanwhile) gets {@link Change#ALREADY_FINAL} and
     * its result is discarded.
     *
     * @param work the work queue entry this front took the task from, acknowledged in the same step; null when the
     *             task was not taken from the queue
     */
    public CompletableFuture<Change> complete(TaskStatus done, byte[] result, WorkItem work) {
        if (done.status() != TaskState.DONE) {
            throw new IllegalArgumentException("complete() takes a done status, not " + done.status());
        }
        String resultKey = keys.result(done.id(), attempt());
        return RedisErrors.translated(redis.set(resultKey, result, SetArgs.Builder.px(resultTtl.toMillis())))
                .thenCompose(stored -> end(done, work, resultKey));
    }

    /** Moves the task to failed or cancelled, once, like {@link #complete}. */
    public CompletableFuture<Change> finish(TaskStatus failedOrCancelled, WorkItem work) {
        if (!failedOrCancelled.status().isFinal() || failedOrCancelled.status() == TaskState.DONE) {
            throw new IllegalArgumentException("finish() takes a failed or cancelled status, not "
                    + failedOrCancelled.status());
        }
        return end(failedOrCancelled, work, "");
    }

    /**
     * The FINISH script, then the upload deleted whatever the outcome (a final task needs it no more), and this
     * call's result too unless the task is now done with it.
     */
    private CompletableFuture<Change> end(TaskStatus status, WorkItem work, String resultKey) {
        String id = status.id();
        return change(redis.<Long>eval(RedisScripts.FINISH, ScriptOutputType.INTEGER,
                keys.finish(id, work == null ? keys.workQueues() : work.queue()),
                text(id), text(status.status().label()), bytes(status), text(keys.control()), ttlMillis(),
                text(work == null ? "" : work.entryId()), text(RedisKeys.GROUP), text(resultKey)))
                .thenApply(change -> {
                    redis.del(keys.upload(id));
                    if (change != Change.CHANGED && !resultKey.isEmpty()) {
                        redis.del(resultKey);
                    }
                    return change;
                });
    }

    /** Names one finisher's result; random, as two fronts may finish one task at the same moment. */
    private static String attempt() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /**
     * Cancels the task if it is not final yet, then forgets it, its upload and its result. Completes with the
     * status it ended with (cancelled, or the final state it had), or empty when it was not there. A front still
     * processing it finds it gone when it finishes and drops its result.
     */
    public CompletableFuture<Optional<TaskStatus>> delete(String id) {
        return delete(id, DELETE_ATTEMPTS);
    }

    private CompletableFuture<Optional<TaskStatus>> delete(String id, int attemptsLeft) {
        return RedisErrors.translated(redis.hmget(keys.task(id), "status", "result")).thenCompose(fields -> {
            byte[] read = fields.get(0).getValueOrElse(null);
            byte[] resultKey = fields.get(1).getValueOrElse(null);
            if (read == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            TaskStatus current = parse(read, TaskStatus.class);
            TaskStatus last = current.status().isFinal() ? current : cancelled(current, clock.instant());
            CompletableFuture<Long> deleted = RedisErrors.translated(redis.eval(RedisScripts.DELETE,
                    ScriptOutputType.INTEGER, keys.delete(id), text(id), read, bytes(last), text(keys.control()),
                    ttlMillis()));
            return deleted.thenCompose(outcome -> {
                if (outcome == 1) {
                    redis.del(keys.upload(id));
                    if (resultKey != null && resultKey.length > 0) {
                        redis.del(string(resultKey));
                    }
                    return CompletableFuture.completedFuture(Optional.of(last));
                }
                if (outcome == -1) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                // The task changed between the read and the script (a front moved it on); read it again.
                if (attemptsLeft <= 1) {
                    return CompletableFuture.failedFuture(
                            new IllegalStateException("task " + id + " kept changing while being deleted"));
                }
                return delete(id, attemptsLeft - 1);
            });
        });
    }

    /** The status a cancelled task shows, as {@code Task.cancel()} makes it in memory. */
    private static TaskStatus cancelled(TaskStatus status, Instant now) {
        Timeline timeline = status.timeline();
        return new TaskStatus(status.id(), TaskState.CANCELLED, status.createdAt(), now, status.scale(),
                status.ops(), status.variant(), status.mode(), status.input(), status.output(), status.ranIn(),
                status.error(),
                new Timeline(timeline.queuedAt(), timeline.grayscaleAt(), timeline.scalingAt(), now));
    }

    private static CompletableFuture<Change> change(CompletionStage<Long> outcome) {
        return RedisErrors.translated(outcome).thenApply(code -> switch (code.intValue()) {
            case 1 -> Change.CHANGED;
            case 0 -> Change.ALREADY_FINAL;
            case -1 -> Change.GONE;
            default -> throw new IllegalStateException("unexpected script answer " + code);
        });
    }

    private byte[] ttlMillis() {
        return text(Long.toString(resultTtl.toMillis()));
    }

    private byte[] bytes(Object value) {
        return values.bytes(value);
    }

    private <T> T parse(byte[] value, Class<T> type) {
        return values.parse(value, type);
    }
}
