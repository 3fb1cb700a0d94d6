package io.graypipe.front.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-machine result cache through real fronts (issue 21): hits byte-identical to the first answer, every
 * option its own entry, the HTTP caching headers and 304, async hits, the byte budget under a flood, and damaged
 * entries on disk recomputed. One front serves the tests that need no restart.
 */
class ResultCacheHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The front's default --cache-size (256 MiB): the test harness turns the cache off unless a test asks. */
    static final String DEFAULT_CACHE_SIZE = "268435456";
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder().option("--cache-size", DEFAULT_CACHE_SIZE).start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (front != null) {
            front.close();
        }
    }

    @Test
    void secondIdenticalUploadIsAByteIdenticalHitWithTheSameStrongEtag() throws Exception {
        byte[] image = TestImages.jpeg(320, 200);
        HttpResponse<byte[]> first = process(front, "/process?scale=0.5", image);
        HttpResponse<byte[]> second = process(front, "/process?scale=0.5", image);
        HttpResponse<byte[]> viaUpload = process(front, "/upload?scale=0.5", image);

        assertEquals(200, first.statusCode());
        assertEquals("miss", first.headers().firstValue("X-Cache").orElseThrow());
        assertEquals("hit", second.headers().firstValue("X-Cache").orElseThrow());
        assertEquals("hit", viaUpload.headers().firstValue("X-Cache").orElseThrow());
        assertArrayEquals(first.body(), second.body());
        assertArrayEquals(first.body(), viaUpload.body());
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]{64}\""), etag);
        assertEquals(etag, second.headers().firstValue("ETag").orElseThrow());
        assertEquals("private, max-age=3600", second.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals(first.headers().firstValue("X-Image-Width"), second.headers().firstValue("X-Image-Width"));
    }

    @Test
    void bypassComputesAfreshAndOffNeitherReadsNorWrites() throws Exception {
        byte[] image = TestImages.png(90, 70);
        HttpResponse<byte[]> off = process(front, "/process?cache=off", image);
        HttpResponse<byte[]> afterOff = process(front, "/process", image);
        HttpResponse<byte[]> bypass = process(front, "/process?cache=bypass", image);
        HttpResponse<byte[]> afterBypass = process(front, "/process", image);

        assertEquals("miss", off.headers().firstValue("X-Cache").orElseThrow());
        assertEquals("miss", afterOff.headers().firstValue("X-Cache").orElseThrow(), "cache=off stored nothing");
        assertEquals("miss", bypass.headers().firstValue("X-Cache").orElseThrow(), "cache=bypass does not read");
        assertEquals("hit", afterBypass.headers().firstValue("X-Cache").orElseThrow());
        assertArrayEquals(off.body(), afterBypass.body());
        assertEquals(off.headers().firstValue("ETag"), bypass.headers().firstValue("ETag"),
                "the ETag names the result, whatever the cache did");
        assertEquals(400, process(front, "/process?cache=sometimes", image).statusCode());
    }

    /** Each option alone changed from the base, and the base: all distinct entries, so each pair differs. */
    @Test
    void everyOptionIsItsOwnEntryAgainstEveryOther() throws Exception {
        byte[] image = TestImages.jpeg(240, 160);
        List<String> variants = List.of("scale=0.5&format=jpeg&quality=85", "scale=0.25&format=jpeg&quality=85",
                "scale=0.5&format=png&quality=85", "scale=0.5&format=jpeg&quality=60",
                "scale=0.5&format=jpeg&quality=85&ops=invert", "scale=0.5&format=jpeg&quality=85&ops=blur:2,invert");
        List<HttpResponse<byte[]>> firsts = new ArrayList<>();
        for (String query : variants) {
            HttpResponse<byte[]> answer = process(front, "/process?" + query, image);
            assertEquals(200, answer.statusCode(), query);
            assertEquals("miss", answer.headers().firstValue("X-Cache").orElseThrow(),
                    query + " must not be answered by an entry of another option set");
            firsts.add(answer);
        }
        Set<String> etags = new HashSet<>();
        for (int i = 0; i < variants.size(); i++) {
            HttpResponse<byte[]> again = process(front, "/process?" + variants.get(i), image);
            assertEquals("hit", again.headers().firstValue("X-Cache").orElseThrow(), variants.get(i));
            assertArrayEquals(firsts.get(i).body(), again.body(), variants.get(i) + " answered its own bytes");
            etags.add(again.headers().firstValue("ETag").orElseThrow());
        }
        assertEquals(variants.size(), etags.size(), "one entry per option set");
    }

    @Test
    void asyncHitIsDoneAtOnceAndItsResultAnswers304ToItsEtag() throws Exception {
        byte[] image = TestImages.png(120, 80);
        String firstId = taskDone(front, image);
        String secondId = taskDone(front, image);
        JsonNode second = status(front, secondId);
        assertEquals("hit", second.path("cache").path("result").asText(), second.toString());
        assertEquals("miss", status(front, firstId).path("cache").path("result").asText());

        HttpResponse<byte[]> result = get(front, "/tasks/" + secondId + "/result", null);
        assertEquals(200, result.statusCode());
        String etag = result.headers().firstValue("ETag").orElseThrow();
        assertEquals("private, max-age=600, immutable", result.headers().firstValue("Cache-Control").orElseThrow());
        HttpResponse<byte[]> revalidated = get(front, "/tasks/" + secondId + "/result", etag);
        assertEquals(304, revalidated.statusCode());
        assertEquals(0, revalidated.body().length);
        assertEquals(etag, revalidated.headers().firstValue("ETag").orElseThrow());
        assertEquals(200, get(front, "/tasks/" + secondId + "/result", "\"another\"").statusCode());

        assertEquals(204, front.http().send(HttpRequest.newBuilder(front.uri("/tasks/" + secondId)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, get(front, "/tasks/" + secondId + "/result", null).statusCode(),
                "a deleted task's result is gone by its URL, though its bytes stay cached");
        assertEquals(404, get(front, "/tasks/" + secondId + "/result", etag).statusCode());
    }

    @Test
    void byteLimitHoldsUnderAFloodOfDistinctImagesAndEvictionsAreCounted(@TempDir Path data) throws Exception {
        long budget = 150_000;
        try (TestFront small = TestFront.builder().dataDir(data).option("--cache-size", Long.toString(budget)).start()) {
            Path cache = small.dataDir().resolve("cache");
            long largest = 0;
            long total = 0;
            for (int i = 0; i < 30; i++) {
                HttpResponse<byte[]> answer = process(small, "/process?format=png&scale=1",
                        TestImages.noisePng(100 + i, 100));
                assertEquals(200, answer.statusCode());
                largest = Math.max(largest, answer.body().length);
                total += answer.body().length;
                assertTrue(bytesIn(cache) <= budget + 2 * largest, "at most the budget and the entry being added");
            }
            assertTrue(total > 2 * budget, "the flood must exceed the budget to test it: " + total);
            Await.until(Duration.ofSeconds(10), "the cache writer to catch up",
                    () -> small.metric("graypipe_cache_evictions_total") > 0 && bytesIn(cache) <= budget);
            assertEquals(bytesIn(cache), (long) small.metric("graypipe_cache_bytes"));
            assertEquals(budget, (long) small.metric("graypipe_cache_max_bytes"));
            assertEquals(0, small.metric("graypipe_cache_hits_total"));
            assertEquals(30, small.metric("graypipe_cache_misses_total"));
        }
    }

    /** A truncated then an edited entry, each found by a restarted front (nothing in memory), is recomputed. */
    @Test
    void damagedEntryOnDiskIsDetectedAndRecomputed(@TempDir Path data) throws Exception {
        byte[] image = TestImages.jpeg(200, 120);
        {
            byte[] original;
            Path entry;
            try (TestFront first = TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE).start()) {
                HttpResponse<byte[]> answer = process(first, "/process", image);
                assertEquals(200, answer.statusCode(), () -> new String(answer.body()));
                original = answer.body();
                entry = first.dataDir().resolve("cache").resolve(answer.headers().firstValue("ETag").orElseThrow()
                        .replace("\"", ""));
                Await.until(Duration.ofSeconds(10), "the entry on disk", () -> Files.exists(entry));
            }
            try (RandomAccessFile file = new RandomAccessFile(entry.toFile(), "rw")) {
                file.setLength(file.length() - 10);
            }
            assertRecomputed(data, image, original, entry);
            try (RandomAccessFile file = new RandomAccessFile(entry.toFile(), "rw")) {
                file.seek(file.length() - 20);
                int b = file.read();
                file.seek(file.length() - 20);
                file.write(b ^ 0x55);
            }
            assertRecomputed(data, image, original, entry);
            try (TestFront again = TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE).start()) {
                HttpResponse<byte[]> hit = process(again, "/process", image);
                assertEquals("hit", hit.headers().firstValue("X-Cache").orElseThrow(),
                        "the index survives a restart");
                assertArrayEquals(original, hit.body());
            }
        }
    }

    private static void assertRecomputed(Path data, byte[] image, byte[] original, Path entry) throws Exception {
        try (TestFront restarted = TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE).start()) {
            HttpResponse<byte[]> answer = process(restarted, "/process", image);
            assertEquals(200, answer.statusCode());
            assertEquals("miss", answer.headers().firstValue("X-Cache").orElseThrow());
            assertArrayEquals(original, answer.body(), "the damaged entry was not served");
            assertEquals(1, restarted.metric("graypipe_cache_corrupt_entries_total"));
            Await.until(Duration.ofSeconds(10), "the entry written again",
                    () -> entry.toFile().length() > original.length);
        }
    }

    static HttpResponse<byte[]> process(TestFront target, String pathAndQuery, byte[] image) throws Exception {
        return process(target.uri(pathAndQuery), target, image);
    }

    static HttpResponse<byte[]> process(URI uri, TestFront client, byte[] image) throws Exception {
        Multipart body = new Multipart().file("image", "image", "application/octet-stream", image);
        return client.http().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> get(TestFront target, String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.uri(path)).timeout(Duration.ofSeconds(20));
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return target.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Uploads {@code image} to POST /tasks and waits until the task is done; returns its id. */
    private static String taskDone(TestFront target, byte[] image) throws Exception {
        HttpResponse<String> accepted = target.post("/tasks",
                new Multipart().file("image", "image.png", "image/png", image));
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = JSON.readTree(accepted.body()).path("id").asText();
        Await.until(Duration.ofSeconds(20), "task " + id + " done",
                () -> "done".equals(status(target, id).path("status").asText()));
        return id;
    }

    static JsonNode status(TestFront target, String id) {
        try {
            return JSON.readTree(target.get("/tasks/" + id).body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot read task " + id, e);
        }
    }

    /** What {@code du --apparent-size} counts for the files of {@code directory}. */
    private static long bytesIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
