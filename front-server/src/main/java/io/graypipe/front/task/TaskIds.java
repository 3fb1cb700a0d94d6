package io.graypipe.front.task;

import io.graypipe.protocol.Sha256;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Task and batch ids, which carry their owner: 96 random bits, then 32 bits of SHA-256 over the owner's key name
 * and those random bits. Whether a client owns an id is computed from the id alone, so it holds on every front,
 * with any store, and across restarts, without a field in any record. A client that is not the owner sees the id
 * as unknown (404): only a 1 in 2^32 chance of a tag that fits, and it still needs the id's 96 random bits.
 */
public final class TaskIds {
    private static final int RANDOM_HEX = 24;
    private static final HexFormat HEX = HexFormat.of();

    private TaskIds() {
    }

    static String mint(SecureRandom random, ClientId owner) {
        byte[] bits = new byte[RANDOM_HEX / 2];
        random.nextBytes(bits);
        String head = HEX.formatHex(bits);
        return head + tag(owner, head);
    }

    /** Whether {@code id} was made for {@code client} (by its key name; anonymous clients all share one tag). */
    public static boolean ownedBy(String id, ClientId client) {
        return id != null && id.length() == RANDOM_HEX + 8
                && tag(client, id.substring(0, RANDOM_HEX)).equalsIgnoreCase(id.substring(RANDOM_HEX));
    }

    private static String tag(ClientId owner, String head) {
        return HEX.formatHex(Sha256.of((owner.name() + ":" + head).getBytes(StandardCharsets.UTF_8)), 0, 4);
    }
}
