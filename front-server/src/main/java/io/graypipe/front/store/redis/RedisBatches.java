package io.graypipe.front.store.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.task.TaskStatus;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.graypipe.front.store.redis.RedisValues.string;
import static io.graypipe.front.store.redis.RedisValues.text;

/**
 * Batches in Redis, shared by every front: a closed batch of one multi-file upload, or an open one that tasks join
 * from any front until it is closed. A batch follows its tasks through the task scripts ({@link RedisScripts}); it
 * expires the result TTL after its last task finished.
 *
 * <p><b>A batch keeps its members.</b> A finished task expires after the result TTL, but the archive of a batch that
 * ran longer than that must still hold its first results. So every front calls {@link #keepMembers} every quarter
 * of the TTL: each finished member of a running batch, its events and its result get a full TTL again, and once the
 * batch has finished they get the batch's own expiry. Results live in other Redis Cluster slots than the batch,
 * so the script names them and this class extends them with single-key commands ({@code PEXPIRE ... GT}, which
 * only ever lengthens an expiry).
 */
public final class RedisBatches {
    private final RedisAsyncCommands<String, byte[]> redis;
    private final RedisKeys keys;
    private final RedisValues values;
    private final Clock clock;
    private final Duration resultTtl;

    public RedisBatches(RedisConnections connections, ObjectMapper json, Clock clock, Duration resultTtl) {
        this.redis = connections.commands();
        this.keys = connections.keys();
        this.values = new RedisValues(json);
        this.clock = clock;
        this.resultTtl = resultTtl;
    }

    /** How often {@link #keepMembers} must run: a member has at least three quarters of the TTL left at any time. */
    public Duration keepPeriod() {
        return resultTtl.dividedBy(4);
    }

    /**
     * Groups tasks already created into a batch; {@code filenames} are the clients' names for them, in the same
     * order. From then on every state change of those tasks is also an event of the batch, and the batch expires
     * after the result TTL once its last task is final, its members with it ({@link #keepMembers}).
     */
    public CompletableFuture<Void> createBatch(String batchId, List<String> taskIds, List<String> filenames) {
        if (taskIds.size() != filenames.size() || taskIds.isEmpty()) {
            throw new IllegalArgumentException("a batch needs one file name per task, and at least one task");
        }
        List<byte[]> args = new ArrayList<>(List.of(text(batchId),
                values.bytes(new BatchMeta(clock.instant(), taskIds, filenames)), text(keys.control()), ttlMillis()));
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
            BatchMeta meta = values.parse(metaJson, BatchMeta.class);
            List<String> taskIds = new ArrayList<>(meta.taskIds());
            List<String> filenames = new ArrayList<>(meta.filenames());
            byte[] added = fields.get("added");
            for (int n = 1; added != null && n <= Integer.parseInt(string(added)); n++) {
                Member member = values.parse(fields.get("add:" + n), Member.class);
                taskIds.add(member.taskId());
                filenames.add(member.filename());
            }
            List<StoredBatch.Item> items = new ArrayList<>(taskIds.size());
            for (int i = 0; i < taskIds.size(); i++) {
                String taskId = taskIds.get(i);
                byte[] status = fields.get("s:" + taskId);
                items.add(new StoredBatch.Item(filenames.get(i), taskId,
                        status == null ? null : values.parse(status, TaskStatus.class)));
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
                keys.openBatch(batchId), values.bytes(new BatchMeta(clock.instant(), List.of(), List.of())),
                ttlMillis(), text(batchId))).thenApply(ok -> null);
    }

    /** What became of a task joining an open batch. */
    public enum Joined { JOINED, NO_SUCH_BATCH, CLOSED }

    /**
     * Adds a task already created to the open batch; from then on its changes are events of the batch. A join
     * keeps the open batch another TTL, so an upload run longer than the TTL keeps its batch.
     */
    public CompletableFuture<Joined> addToBatch(String batchId, String taskId, String filename) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.ADD_TO_BATCH, ScriptOutputType.INTEGER,
                keys.addToBatch(batchId, taskId), text(batchId), text(taskId),
                values.bytes(new Member(taskId, filename)), ttlMillis())).thenApply(code -> code == -1 ? Joined.NO_SUCH_BATCH
                : code == -2 ? Joined.CLOSED : Joined.JOINED);
    }

    /** Closes an open batch (a closed one stays closed); false when there is no such batch. */
    public CompletableFuture<Boolean> closeBatch(String batchId) {
        return RedisErrors.translated(redis.<Long>eval(RedisScripts.CLOSE_BATCH, ScriptOutputType.INTEGER,
                keys.closeBatch(batchId), text(keys.control()), ttlMillis()))
                .thenApply(code -> code == 1);
    }

    /**
     * Gives the finished members of every running batch, their events and their results, a full TTL again, and
     * those of a batch that has finished since the last call the batch's own expiry; then forgets the batches that
     * finished or went. Completes with how many results it extended.
     */
    public CompletableFuture<Integer> keepMembers() {
        return RedisErrors.translated(redis.<List<Object>>eval(RedisScripts.KEEP_MEMBERS, ScriptOutputType.MULTI,
                keys.keepMembers(), text(keys.control()), ttlMillis())).thenCompose(kept -> {
            List<CompletableFuture<Boolean>> extended = new ArrayList<>();
            for (int i = 0; i + 1 < kept.size(); i += 2) {
                extended.add(RedisErrors.translated(redis.pexpire(string((byte[]) kept.get(i)),
                        ((Number) kept.get(i + 1)).longValue(), ExpireArgs.Builder.gt())));
            }
            return CompletableFuture.allOf(extended.toArray(CompletableFuture[]::new))
                    .thenApply(done -> extended.size());
        });
    }

    private byte[] ttlMillis() {
        return text(Long.toString(resultTtl.toMillis()));
    }
}
