package io.graypipe.front.store.redis;

/**
 * The names of graypipe's keys, all under one prefix so several clusters can share a Redis. The Lua scripts build
 * batch key names from the same prefix ({@link RedisScripts}); docs/scale-out.md lists every key.
 */
record RedisKeys(String prefix) {
    static final String GROUP = "fronts";

    String task(String id) {
        return prefix + "task:" + id;
    }

    String upload(String id) {
        return prefix + "upload:" + id;
    }

    String result(String id) {
        return prefix + "result:" + id;
    }

    String taskEvents(String id) {
        return prefix + "events:task:" + id;
    }

    String batch(String id) {
        return prefix + "batch:" + id;
    }

    String batchEvents(String id) {
        return prefix + "events:batch:" + id;
    }

    /** One client's queue of accepted async tasks: a stream read through the group {@link #GROUP}. */
    String work(String clientKey) {
        return prefix + "work:q:" + clientKey;
    }

    /** The client queues with new entries, in round-robin order; the first is the one whose turn it is. */
    String workRing() {
        return prefix + "work:ring";
    }

    /** How many more tasks the first client of the ring may be given in its current turn. */
    String workTurn() {
        return prefix + "work:turn";
    }

    /** Each client queue's weight: how many tasks a turn gives it. */
    String workWeights() {
        return prefix + "work:weights";
    }

    /** Every client queue holding entries, new or taken: where abandoned entries are looked for. */
    String workQueues() {
        return prefix + "work:queues";
    }

    /**
     * The one work stream of fronts before tasks were queued by client: a cluster upgraded with tasks in it still
     * runs them (taken like one more client's queue until it is empty, then deleted).
     */
    String formerWork() {
        return prefix + "work";
    }

    /** A token per new task, for fronts waiting for work to block on. */
    String workWake() {
        return prefix + "work:wake";
    }

    /** The pub/sub channel on which every new event is announced by the name of its stream. */
    String announcements() {
        return prefix + "notify";
    }
}
