package io.graypipe.front.store.redis;

import io.graypipe.front.testing.ClusterSlots;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key layout works on Redis Cluster: every Lua script's keys, the ones it is given and the batch keys it builds
 * from the control prefix, hash to one slot (a cluster refuses a script whose keys do not, with CROSSSLOT), while
 * uploads and results, most of the bytes, spread over the slots. Slots are computed as Redis Cluster does.
 */
class RedisKeySlotsTest {
    private final RedisKeys keys = new RedisKeys("graypipe:");

    @Test
    void slotsAreComputedAsRedisClusterDoes() {
        // Values from the Redis Cluster specification and redis-cli CLUSTER KEYSLOT.
        assertEquals(0x31C3, ClusterSlots.slot("123456789"));
        assertEquals(12182, ClusterSlots.slot("foo"));
        assertEquals(5061, ClusterSlots.slot("bar"));
        assertEquals(ClusterSlots.slot("user1000"), ClusterSlots.slot("{user1000}.following"));
        // An empty tag is no tag: the whole key is hashed, not "bar".
        assertTrue(ClusterSlots.slot("foo{}{bar}") != ClusterSlots.slot("bar"));
    }

    @Test
    void everyTaskScriptTouchesOneSlot() {
        String task = id();
        String other = id();
        String batch = id();
        // Keys a script builds itself, from the control prefix it is given (ARGV prefix), once it reads a batch id.
        String built = keys.control() + "batch:" + batch;
        String builtEvents = keys.control() + "events:batch:" + batch;
        String channel = keys.control() + "notify";
        assertEquals(channel, keys.announcements());

        String queue = keys.work("key:alice");
        // Keys the work scripts build themselves, from the control prefix, or read from the set of client queues.
        String[] work = {keys.work("addr:203.0.113.9"), keys.workRing(), keys.workTurn(), keys.workQueues(),
                keys.workWeights()};
        assertOneSlot("CREATE", keys.create(task, "key:alice"));
        assertOneSlot("TAKE", concat(keys.take(), work));
        assertOneSlot("DROP_WORK", concat(new String[] {queue}, work));
        assertOneSlot("UPDATE", concat(keys.update(task), built, builtEvents));
        assertOneSlot("FINISH", concat(concat(keys.finish(task, queue), built, builtEvents), work));
        assertOneSlot("DELETE", concat(keys.delete(task), built, builtEvents));
        assertOneSlot("CREATE_BATCH", keys.createBatch(batch, List.of(task, other, id())));
        assertOneSlot("OPEN_BATCH", keys.openBatch(batch));
        assertOneSlot("ADD_TO_BATCH", keys.addToBatch(batch, task));
        assertOneSlot("CLOSE_BATCH", keys.closeBatch(batch));
        assertOneSlot("KEEP_MEMBERS", concat(keys.keepMembers(), built, keys.control() + "task:" + task,
                keys.control() + "events:task:" + task));
        // And every script shares that slot with the work queues, which TAKE reads with XREADGROUP.
        assertEquals(1, ClusterSlots.slots(concat(keys.createBatch(batch, List.of(task)), queue, keys.workWake()))
                .size());
    }

    @Test
    void uploadsAndResultsSpreadOverTheSlots() {
        Set<Integer> slots = new HashSet<>();
        IntStream.range(0, 2000).mapToObj(i -> id()).forEach(task -> {
            // A task's upload and result share a slot, not necessarily the control one.
            assertEquals(ClusterSlots.slot(keys.result(task, "5f0c")), ClusterSlots.slot(keys.upload(task)));
            slots.add(ClusterSlots.slot(keys.upload(task)));
        });
        // 2000 random ids over 16384 slots: about 1885 distinct slots; all in one would mean one shard for the bytes.
        assertTrue(slots.size() > 1700, slots.size() + " slots");
    }

    private static void assertOneSlot(String script, String... scriptKeys) {
        assertEquals(1, ClusterSlots.slots(scriptKeys).size(), script + "'s keys " + List.of(scriptKeys));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
