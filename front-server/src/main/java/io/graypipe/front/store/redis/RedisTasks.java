package io.graypipe.front.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.Timeline;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Async task state in Redis, shared by every front: task records, uploads waiting to be processed, results that
 * expire after the result TTL, and batches. Every change of a task goes through one Lua script
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
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration resultTtl;

    /**
     * @param json      the front's one JSON mapper, so records read the same as the data directory's
     * @param resultTtl how long a finished task, its result and its events are kept
     */
    public RedisTasks(RedisConnections connections, ObjectMapper json, Clock clock, Duration resultTtl) {
        this.redis = connections.commands();
        this.keys = connections.keys();
        this.json = json;
        this.clock = clock;
        this.resultTtl = resultTtl;
    }

    public Duration resultTtl() {
        return resultTtl;
    }

    /**
     * Stores a new task with its upload and queues it for processing, all at once: once the future completes, any
     * front can read it and some front will process it. Completes with the id of the task's first event.
     */
    public CompletableFuture<String> create(TaskRecord record, byte[] upload) {
        TaskStatus status = record.task();
        String id = status.id();
        CompletableFuture<byte[]> created = RedisErrors.translated(redis.set(keys.upload(id), upload,
                        SetArgs.Builder.px(UPLOAD_TTL.toMillis())))
                .thenCompose(stored -> RedisErrors.translated(redis.<byte[]>eval(RedisScripts.CREATE,
                        ScriptOutputType.VALUE, keys.create(id), text(id), text(status.status().label()),
                        bytes(status), text(record.format() == null ? "" : record.format()),
                        text(Integer.toString(record.quality())), text(keys.control()))));
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
            return Optional.of(new StoredTask(record, batch.isEmpty() ? null : batch));
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
     * @param workEntryId the work queue entry this front took the task from, acknowledged in the same step; null
     *                    when the task was not taken from the queue
     */
    public CompletableFuture<Change> complete(TaskStatus done, byte[] result, String workEntryId) {
        if (done.status() != TaskState.DONE) {
            throw new IllegalArgumentException("complete() takes a done status, not " + done.status());
        }
        String resultKey = keys.result(done.id(), attempt());
        return RedisErrors.translated(redis.set(resultKey, result, SetArgs.Builder.px(resultTtl.toMillis())))
                .thenCompose(stored -> end(done, workEntryId, resultKey));
    }

    /** Moves the task to failed or cancelled, once, like {@link #complete}. */
    public CompletableFuture<Change> finish(TaskStatus failedOrCancelled, String workEntryId) {
        if (!failedOrCancelled.status().isFinal() || failedOrCancelled.status() == TaskState.DONE) {
            throw new IllegalArgumentException("finish() takes a failed or cancelled status, not "
                    + failedOrCancelled.status());
        }
        return end(failedOrCancelled, workEntryId, "");
    }

    /**
     * The FINISH script, then the upload deleted whatever the outcome (a final task needs it no more), and this
     * call's result too unless the task is now done with it.
     */
    private CompletableFuture<Change> end(TaskStatus status, String workEntryId, String resultKey) {
        String id = status.id();
        return change(redis.<Long>eval(RedisScripts.FINISH, ScriptOutputType.INTEGER, keys.finish(id),
                text(id), text(status.status().label()), bytes(status), text(keys.control()), ttlMillis(),
                text(workEntryId == null ? "" : workEntryId), text(RedisKeys.GROUP), text(resultKey)))
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

    /**
     * Groups tasks already created into a batch; {@code filenames} are the clients' names for them, in the same
     * order. From then on every state change of those tasks is also an event of the batch, and the batch expires
     * after the result TTL once its last task is final.
     */
    public CompletableFuture<Void> createBatch(String batchId, List<String> taskIds, List<String> filenames) {
        if (taskIds.size() != filenames.size() || taskIds.isEmpty()) {
            throw new IllegalArgumentException("a batch needs one file name per task, and at least one task");
        }
        List<byte[]> args = new ArrayList<>(List.of(text(batchId),
                bytes(new BatchMeta(clock.instant(), taskIds, filenames)), text(keys.control()), ttlMillis()));
        taskIds.forEach(id -> args.add(text(id)));
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.CREATE_BATCH, ScriptOutputType.INTEGER,
                keys.createBatch(batchId, taskIds), args.toArray(byte[][]::new))).thenApply(total -> null);
    }

    /** The batch, read in one command, or empty when it never existed or expired. */
    public CompletableFuture<Optional<StoredBatch>> findBatch(String batchId) {
        return RedisErrors.translated(redis.hgetall(keys.batch(batchId))).thenApply(fields -> {
            byte[] metaJson = fields.get("meta");
            if (metaJson == null) {
                return Optional.empty();
            }
            BatchMeta meta = parse(metaJson, BatchMeta.class);
            List<String> taskIds = new ArrayList<>(meta.taskIds());
            List<String> filenames = new ArrayList<>(meta.filenames());
            byte[] added = fields.get("added");
            for (int n = 1; added != null && n <= Integer.parseInt(string(added)); n++) {
                Member member = parse(fields.get("add:" + n), Member.class);
                taskIds.add(member.taskId());
                filenames.add(member.filename());
            }
            List<StoredBatch.Item> items = new ArrayList<>(taskIds.size());
            for (int i = 0; i < taskIds.size(); i++) {
                String taskId = taskIds.get(i);
                byte[] status = fields.get("s:" + taskId);
                items.add(new StoredBatch.Item(filenames.get(i), taskId,
                        status == null ? null : parse(status, TaskStatus.class)));
            }
            byte[] finishedAt = fields.get("finished_at");
            return Optional.of(new StoredBatch(batchId, meta.createdAt(),
                    finishedAt == null ? null : Instant.ofEpochMilli(Long.parseLong(string(finishedAt))), items,
                    "1".equals(string(fields.get("open")))));
        });
    }

    /** What a batch holds besides its tasks' statuses, stored as JSON in its {@code meta} field. */
    record BatchMeta(Instant createdAt, List<String> taskIds, List<String> filenames) {
    }

    /** A task that joined an open batch, stored as JSON in the batch's {@code add:N} field. */
    record Member(String taskId, String filename) {
    }

    /** An empty open batch ({@code POST /batches}), which tasks join from any front until it is closed. */
    public CompletableFuture<Void> openBatch(String batchId) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.OPEN_BATCH, ScriptOutputType.INTEGER,
                keys.openBatch(batchId), bytes(new BatchMeta(clock.instant(), List.of(), List.of())),
                ttlMillis())).thenApply(ok -> null);
    }

    /** What became of a task joining an open batch. */
    public enum Joined { JOINED, NO_SUCH_BATCH, CLOSED }

    /** Adds a task already created to the open batch; from then on its changes are events of the batch. */
    public CompletableFuture<Joined> addToBatch(String batchId, String taskId, String filename) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.ADD_TO_BATCH, ScriptOutputType.INTEGER,
                keys.addToBatch(batchId, taskId), text(batchId), text(taskId),
                bytes(new Member(taskId, filename)))).thenApply(code -> code == -1 ? Joined.NO_SUCH_BATCH
                : code == -2 ? Joined.CLOSED : Joined.JOINED);
    }

    /** Closes an open batch (a closed one stays closed); false when there is no such batch. */
    public CompletableFuture<Boolean> closeBatch(String batchId) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.CLOSE_BATCH, ScriptOutputType.INTEGER,
                keys.closeBatch(batchId), text(keys.control()), ttlMillis()))
                .thenApply(code -> code == 1);
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
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }

    private <T> T parse(byte[] value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable " + type.getSimpleName() + " in Redis", e);
        }
    }

    static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] value) {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }
}
