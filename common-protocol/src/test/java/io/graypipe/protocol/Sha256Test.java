package io.graypipe.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void eachDigestIsFreshAndGivesTheStandardHash() throws Exception {
        MessageDigest first = Sha256.digest();
        first.update("half".getBytes(StandardCharsets.UTF_8));

        MessageDigest second = Sha256.digest();
        assertNotSame(first, second);
        assertEquals(ABC, HexFormat.of().formatHex(second.digest("abc".getBytes(StandardCharsets.US_ASCII))),
                "a digest begun elsewhere leaves a new one untouched (FIPS 180-2's test vector)");
        assertEquals(ABC, HexFormat.of().formatHex(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("halfway".getBytes(
                StandardCharsets.UTF_8))), HexFormat.of().formatHex(first.digest("way".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void threadsHashAtOnceWithoutSharingState() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> hashes = IntStream.range(0, 4000).mapToObj(i -> threads.submit(() ->
                    HexFormat.of().formatHex(Sha256.of(("key-" + (i % 2)).getBytes(StandardCharsets.UTF_8))))).toList();
            String even = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    "key-0".getBytes(StandardCharsets.UTF_8)));
            String odd = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    "key-1".getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < hashes.size(); i++) {
                assertEquals(i % 2 == 0 ? even : odd, hashes.get(i).get(), "hash " + i);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
