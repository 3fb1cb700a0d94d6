package io.graypipe.front.cache;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static io.graypipe.front.cache.ResultCacheHttpTest.process;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The result cache in Redis (issue 21), through two real fronts on one real Redis: a result computed through one
 * is a hit on the other; Redis killed turns the cache off without a single error, and hits resume when it is
 * back; the byte budget holds under a flood, in the cache's own total and in Redis's {@code used_memory}.
 */
class SharedResultCacheTest {
    private static final long BUDGET = 200_000;
    private static RedisServer redis;
    private static TestFront frontA;
    private static TestFront frontB;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        frontA = ResultCacheHttpTest.ready(TestFront.builder().option("--store", redis.uri())
                .option("--cache-size", Long.toString(BUDGET)).start());
        frontB = ResultCacheHttpTest.ready(TestFront.builder().option("--store", redis.uri())
                .option("--cache-size", Long.toString(BUDGET)).start());
    }

    @AfterAll
    static void stop() throws IOException {
        for (AutoCloseable closeable : new AutoCloseable[] {frontA, frontB, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    @Test
    void aResultComputedThroughOneFrontIsAHitOnTheOther() throws Exception {
        byte[] image = TestImages.jpeg(300, 180);
        HttpResponse<byte[]> computed = process(frontA, "/process?scale=0.5", image);
        assertEquals("miss", computed.headers().firstValue("X-Cache").orElseThrow());
        awaitEntry(computed);

        HttpResponse<byte[]> shared = process(frontB, "/process?scale=0.5", image);
        assertEquals("hit", shared.headers().firstValue("X-Cache").orElseThrow());
        assertArrayEquals(computed.body(), shared.body());
        assertEquals(computed.headers().firstValue("ETag"), shared.headers().firstValue("ETag"));

        HttpResponse<String> accepted = frontB.post("/tasks?scale=0.5",
                new Multipart().file("image", "a.jpg", "image/jpeg", image));
        String id = ResultCacheHttpTest.JSON.readTree(accepted.body()).path("id").asText();
        Await.until(Duration.ofSeconds(20), "task " + id + " done",
                () -> "done".equals(ResultCacheHttpTest.status(frontA, id).path("status").asText()));
        assertEquals("hit", ResultCacheHttpTest.status(frontA, id).path("cache").path("result").asText());
        HttpResponse<byte[]> result = frontA.http().send(HttpRequest.newBuilder(frontA.uri("/tasks/" + id + "/result"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(computed.body(), result.body());
        HttpResponse<byte[]> revalidated = frontB.http().send(HttpRequest.newBuilder(frontB.uri("/tasks/" + id
                + "/result")).header("If-None-Match", computed.headers().firstValue("ETag").orElseThrow()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, revalidated.statusCode());
    }

    @Test
    void redisDownIsTheCacheOffWithoutErrorsAndHitsResumeWhenItIsBack() throws Exception {
        byte[] image = TestImages.png(140, 90);
        redis.kill9();
        try {
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> answer = process(frontA, "/process", image);
                assertEquals(200, answer.statusCode(), () -> new String(answer.body()));
                assertEquals("miss", answer.headers().firstValue("X-Cache").orElseThrow());
            }
        } finally {
            redis.restart();
        }
        Await.until(Duration.ofSeconds(60), "a hit once Redis is back", () -> {
            HttpResponse<byte[]> answer = unchecked(() -> process(frontA, "/process", image));
            assertEquals(200, answer.statusCode());
            return "hit".equals(answer.headers().firstValue("X-Cache").orElseThrow());
        });
    }

    @Test
    void byteBudgetHoldsUnderAFloodInTheTotalAndInUsedMemory() throws Exception {
        long before = usedMemory();
        double evictionsBefore = frontB.metric("graypipe_cache_evictions_total");
        long sent = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<byte[]> answer = process(frontB, "/process?format=png&scale=1",
                    TestImages.noisePng(100, 100 + i));
            assertEquals(200, answer.statusCode());
            sent += answer.body().length;
        }
        assertTrue(sent > 2 * BUDGET, "the flood must exceed the budget to test it: " + sent);
        Await.until(Duration.ofSeconds(20), "evictions counted",
                () -> frontB.metric("graypipe_cache_evictions_total") > evictionsBefore);
        // RedisCache's writer stores an entry after its answer went out (the entry, then the index's total, then the
        // evicted entries deleted), so the last ones may still be landing: the total and the entries are read again
        // until a reading agrees (at rest they must), then checked.
        Await.until(Duration.ofSeconds(10), "the cache's total to settle at what its entries hold",
                () -> cacheTotal() == cacheStored());
        long total = cacheTotal();
        long stored = cacheStored();
        long grown = usedMemory() - before;
        System.err.printf("redis cache flood: %d bytes sent, %d stored (total %d) of %d allowed, used_memory +%d%n",
                sent, stored, total, BUDGET, grown);
        assertTrue(total <= BUDGET, "total " + total);
        assertEquals(total, stored, "the total is what the entries hold");
        assertTrue(grown <= 2 * BUDGET, "used_memory grew by " + grown + " for a budget of " + BUDGET);
    }

    /** The byte count the cache keeps of its entries. */
    private static long cacheTotal() {
        return Long.parseLong(redis.commands(c -> c.get("{graypipe:cache}:bytes")));
    }

    /** The bytes the cache's entries hold, summed over its keys. */
    private static long cacheStored() {
        List<String> keys = redis.commands(c -> c.keys("graypipe:cache:*"));
        return keys.stream().filter(k -> k.matches("graypipe:cache:\\{[0-9a-f]{64}}"))
                .mapToLong(k -> redis.commands(c -> c.strlen(k))).sum();
    }

    private static void awaitEntry(HttpResponse<byte[]> answer) {
        String key = "graypipe:cache:{" + answer.headers().firstValue("ETag").orElseThrow().replace("\"", "") + "}";
        Await.until(Duration.ofSeconds(10), "entry " + key + " in Redis",
                () -> redis.commands(c -> c.exists(key)) == 1);
    }

    private static long usedMemory() {
        String info = redis.commands(c -> c.info("memory"));
        return info.lines().filter(line -> line.startsWith("used_memory:")).findFirst()
                .map(line -> Long.parseLong(line.substring("used_memory:".length()).strip())).orElseThrow();
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
