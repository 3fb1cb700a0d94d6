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

    String work() {
        return prefix + "work";
    }

    /** The pub/sub channel on which every new event is announced by the name of its stream. */
    String announcements() {
        return prefix + "notify";
    }
}
