package io.graypipe.front.store.redis;

import java.util.List;

/**
 * The names of graypipe's keys, laid out for Redis Cluster (docs/scale-out.md lists every key, docs/capacity.md
 * says why). Two kinds:
 *
 * <ul>
 *   <li><b>Control keys</b>: task records, event streams, batches and the work queue, all under one hash tag,
 *   {@code {graypipe}:}, so that each Lua script ({@link RedisScripts}) touches keys of a single slot, including the
 *   batch keys a script builds from {@link #control()} once it learns a task's batch. They are small.</li>
 *   <li><b>Data keys</b>: uploads and results, tagged by their task id, so the bytes, which are most of what Redis
 *   holds and moves, spread over every shard. Each is written and read by single-key commands only.</li>
 * </ul>
 *
 * On one Redis the tags change nothing but the names.
 */
record RedisKeys(String prefix) {
    static final String GROUP = "fronts";

    /** What every control key starts with: the prefix as a hash tag, e.g. {@code {graypipe}:}. */
    String control() {
        return "{" + prefix.substring(0, prefix.length() - 1) + "}:";
    }

    String task(String id) {
        return control() + "task:" + id;
    }

    String taskEvents(String id) {
        return control() + "events:task:" + id;
    }

    String batch(String id) {
        return control() + "batch:" + id;
    }

    String batchEvents(String id) {
        return control() + "events:batch:" + id;
    }

    /** One client's queue of accepted async tasks: a stream read through the group {@link #GROUP}. */
    String work(String clientKey) {
        return control() + "work:q:" + clientKey;
    }

    /** The client queues with new entries, in round-robin order; the first is the one whose turn it is. */
    String workRing() {
        return control() + "work:ring";
    }

    /** How many more tasks the first client of the ring may be given in its current turn. */
    String workTurn() {
        return control() + "work:turn";
    }

    /** Each client queue's weight: how many tasks a turn gives it. */
    String workWeights() {
        return control() + "work:weights";
    }

    /** Every client queue holding entries, new or taken: where abandoned entries are looked for. */
    String workQueues() {
        return control() + "work:queues";
    }

    /** A token per new task, for fronts waiting for work to block on. */
    String workWake() {
        return control() + "work:wake";
    }

    /**
     * The one work stream of fronts before tasks were queued by client: a cluster upgraded with tasks in it still
     * runs them (taken like one more client's queue until it is empty, then deleted).
     */
    String formerWork() {
        return control() + "work";
    }

    /** The pub/sub channel on which every new event is announced by the name of its stream. */
    String announcements() {
        return control() + "notify";
    }

    String upload(String id) {
        return prefix + "upload:{" + id + "}";
    }

    /**
     * One finisher's result: each front that finishes a task stores its own, and the FINISH script records in the
     * task which one won, so a result is never overwritten by a front that lost the race.
     */
    String result(String id, String attempt) {
        return prefix + "result:{" + id + "}:" + attempt;
    }

    /** KEYS of {@link RedisScripts#CREATE}: the task joins its owner's queue ({@code clientKey}). */
    String[] create(String id, String clientKey) {
        return new String[] {task(id), taskEvents(id), work(clientKey), workRing(), workWeights(), workQueues(),
                workWake()};
    }

    /** KEYS of {@link RedisScripts#TAKE}. */
    String[] take() {
        return new String[] {workRing(), workTurn(), workWeights(), workQueues(), formerWork()};
    }

    /** KEYS of {@link RedisScripts#UPDATE}. */
    String[] update(String id) {
        return new String[] {task(id), taskEvents(id)};
    }

    /** KEYS of {@link RedisScripts#FINISH}: {@code queue} is the client queue its entry is in, or any control key. */
    String[] finish(String id, String queue) {
        return new String[] {task(id), taskEvents(id), queue};
    }

    /** KEYS of {@link RedisScripts#DELETE}. */
    String[] delete(String id) {
        return new String[] {task(id), taskEvents(id)};
    }

    /** The ids of the batches not finished yet, whose members {@link RedisBatches#keepMembers} keeps. */
    String runningBatches() {
        return control() + "batches:running";
    }

    /** KEYS of {@link RedisScripts#CREATE_BATCH}: the batch, its events, the running batches, then each task. */
    String[] createBatch(String batchId, List<String> taskIds) {
        String[] keys = new String[taskIds.size() + 3];
        keys[0] = batch(batchId);
        keys[1] = batchEvents(batchId);
        keys[2] = runningBatches();
        for (int i = 0; i < taskIds.size(); i++) {
            keys[i + 3] = task(taskIds.get(i));
        }
        return keys;
    }

    /** KEYS of {@link RedisScripts#OPEN_BATCH}. */
    String[] openBatch(String batchId) {
        return new String[] {batch(batchId), runningBatches()};
    }

    /** KEYS of {@link RedisScripts#KEEP_MEMBERS}. */
    String[] keepMembers() {
        return new String[] {runningBatches()};
    }

    /** KEYS of {@link RedisScripts#ADD_TO_BATCH}. */
    String[] addToBatch(String batchId, String taskId) {
        return new String[] {batch(batchId), task(taskId)};
    }

    /** KEYS of {@link RedisScripts#CLOSE_BATCH}. */
    String[] closeBatch(String batchId) {
        return new String[] {batch(batchId), batchEvents(batchId)};
    }
}
