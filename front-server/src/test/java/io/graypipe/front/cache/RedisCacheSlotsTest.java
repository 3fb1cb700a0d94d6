package io.graypipe.front.cache;

import io.graypipe.front.testing.ClusterSlots;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared cache's keys work on Redis Cluster: the index script's keys share one slot, and the entries (the
 * bytes) spread over the slots, each written and read by single-key commands.
 */
class RedisCacheSlotsTest {
    @Test
    void theIndexIsOneSlotAndTheEntriesSpread() {
        assertEquals(1, ClusterSlots.slots(RedisCache.indexKeys("graypipe:")).size());
        Random random = new Random(23);
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            slots.add(ClusterSlots.slot(RedisCache.entryKey("graypipe:", HexFormat.of().formatHex(id))));
        }
        assertTrue(slots.size() > 1700, slots.size() + " slots");
    }
}
