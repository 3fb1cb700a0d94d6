package io.graypipe.front.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Redis Cluster's key-to-slot function, for tests that check a key layout without a cluster: CRC16 (XMODEM) of the
 * key, or of its hash tag (the text between the first {@code {} and the next {@code }}, when not empty), modulo
 * 16384, as in the Redis Cluster specification.
 */
public final class ClusterSlots {
    public static final int SLOTS = 16384;

    private ClusterSlots() {
    }

    public static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                bytes = key.substring(open + 1, close).getBytes(StandardCharsets.UTF_8);
            }
        }
        return crc16(bytes) % SLOTS;
    }

    /** The slots of these keys: one element when a multi-key command or script may take them all. */
    public static Set<Integer> slots(String... keys) {
        return Arrays.stream(keys).map(ClusterSlots::slot).collect(Collectors.toSet());
    }

    static int crc16(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }
}
