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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    private static final String DISPATCHED = "graypipe_worker_dispatched_total{worker=\"local\"}";
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = ready(TestFront.builder().option("--cache-size", DEFAULT_CACHE_SIZE).start());
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
        awaitStored(front, first.headers().firstValue("ETag").orElseThrow());
        double dispatched = front.metric(DISPATCHED);
        assertTrue(dispatched > 0, "the miss went to the worker");
        HttpResponse<byte[]> second = process(front, "/process?scale=0.5", image);
        HttpResponse<byte[]> viaUpload = process(front, "/upload?scale=0.5", image);
        assertEquals(dispatched, front.metric(DISPATCHED), "a hit sends nothing to the worker");

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

    /**
     * Server-Timing on /process and /upload: every stage a miss goes through, in order, each a number of
     * milliseconds, adding up to no more than the client waited; a hit stops at {@code cache;desc=hit}.
     */
    @Test
    void serverTimingAccountsForEachStageAndNamesAHit() throws Exception {
        byte[] image = TestImages.jpeg(640, 400);
        long started = System.nanoTime();
        HttpResponse<byte[]> miss = process(front, "/process?scale=0.5", image);
        double wallMillis = (System.nanoTime() - started) / 1e6;
        assertEquals(200, miss.statusCode());
        Map<String, ServerTimingMetric> stages = serverTiming(miss);
        assertEquals(List.of("upload", "queue", "cache", "gray", "dispatch", "scale"), List.copyOf(stages.keySet()),
                "a miss on a fair front: " + miss.headers().firstValue("Server-Timing"));
        assertEquals("miss", stages.get("cache").description());
        assertTrue(stages.get("gray").millis() > 0 && stages.get("scale").millis() > 0, stages.toString());
        double sum = stages.values().stream().mapToDouble(ServerTimingMetric::millis).sum();
        assertTrue(sum <= wallMillis, "stages " + sum + " ms within the " + wallMillis + " ms the client waited");

        awaitStored(front, miss.headers().firstValue("ETag").orElseThrow());
        long again = System.nanoTime();
        HttpResponse<byte[]> hit = process(front, "/upload?scale=0.5", image);
        double hitWallMillis = (System.nanoTime() - again) / 1e6;
        Map<String, ServerTimingMetric> hitStages = serverTiming(hit);
        assertEquals(List.of("upload", "queue", "cache"), List.copyOf(hitStages.keySet()),
                "a hit: " + hit.headers().firstValue("Server-Timing"));
        assertEquals("hit", hitStages.get("cache").description());
        assertTrue(hitStages.values().stream().mapToDouble(ServerTimingMetric::millis).sum() <= hitWallMillis);
    }

    /** With --fifo-queue the gray thread takes its worker slot itself, and no FairDispatch holds the raster. */
    @Test
    void serverTimingOfAFifoFrontHasASlotStageAndNoDispatch() throws Exception {
        try (TestFront fifo = ready(TestFront.builder().args("--fifo-queue").start())) {
            HttpResponse<byte[]> answer = process(fifo, "/process?scale=0.5", TestImages.png(320, 200));
            assertEquals(200, answer.statusCode());
            assertEquals(List.of("upload", "queue", "cache", "slot", "gray", "scale"),
                    List.copyOf(serverTiming(answer).keySet()), answer.headers().firstValue("Server-Timing").orElseThrow());
        }
    }

    /** One metric of a Server-Timing header: its description (or null) and duration. */
    record ServerTimingMetric(String description, double millis) {
    }

    /** The Server-Timing header by metric name, in order; fails unless every metric has a decimal {@code dur}. */
    static Map<String, ServerTimingMetric> serverTiming(HttpResponse<?> answer) {
        String header = answer.headers().firstValue("Server-Timing").orElseThrow();
        Map<String, ServerTimingMetric> metrics = new LinkedHashMap<>();
        for (String metric : header.split(",")) {
            String[] parts = metric.strip().split(";");
            String description = null;
            Double millis = null;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].split("=", 2);
                if (parameter[0].equals("desc")) {
                    description = parameter[1];
                } else if (parameter[0].equals("dur")) {
                    assertTrue(parameter[1].matches("\\d+\\.\\d{3}"), header);
                    millis = Double.parseDouble(parameter[1]);
                }
            }
            assertTrue(millis != null && millis >= 0, header);
            assertEquals(null, metrics.put(parts[0], new ServerTimingMetric(description, millis)), header);
        }
        return metrics;
    }

    @Test
    void bypassComputesAfreshAndOffNeitherReadsNorWrites() throws Exception {
        byte[] image = TestImages.png(90, 70);
        HttpResponse<byte[]> off = process(front, "/process?cache=off", image);
        HttpResponse<byte[]> afterOff = process(front, "/process", image);
        HttpResponse<byte[]> bypass = process(front, "/process?cache=bypass", image);
        awaitStored(front, bypass.headers().firstValue("ETag").orElseThrow());
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
            awaitStored(front, answer.headers().firstValue("ETag").orElseThrow());
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
        awaitStored(front, status(front, firstId).path("cache").path("etag").asText());
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

    /** With --cache-scope client, a client's entries answer only that client (by address, until API keys). */
    @Test
    void clientScopeKeepsEachClientsEntriesToItself(@TempDir Path data) throws Exception {
        byte[] image = TestImages.png(70, 50);
        try (TestFront scoped = ready(TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE)
                .option("--cache-scope", "client").start())) {
            String etag = rawProcess(scoped, "127.0.0.1", image).get("etag");
            awaitStored(scoped, etag);
            assertEquals("hit", rawProcess(scoped, "127.0.0.1", image).get("x-cache"), "the same client");
            Map<String, String> other = rawProcess(scoped, "127.0.0.2", image);
            assertEquals("miss", other.get("x-cache"), "another client computes its own");
            assertNotEquals(etag, other.get("etag"));
        }
    }

    /**
     * POST /process of {@code image} as a raw body from the local address {@code from} (java.net.http cannot
     * choose one); returns the status line (key {@code status}) and the headers, names in lower case.
     */
    private static Map<String, String> rawProcess(TestFront target, String from, byte[] image) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(target.address(), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /process HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                    + image.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(image);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            Map<String, String> head = new HashMap<>();
            head.put("status", in.readLine());
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                head.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            assertTrue(head.get("status").contains(" 200 "), head.toString());
            return head;
        }
    }

    /** --exact-scaling is a front's flag, not a request's: a front with it on the same cache misses. */
    @Test
    void exactScalingIsItsOwnEntry(@TempDir Path data) throws Exception {
        byte[] image = TestImages.jpeg(400, 240);
        String etag;
        try (TestFront shrinking = cachingFront(data)) {
            etag = process(shrinking, "/process?scale=0.25", image).headers().firstValue("ETag").orElseThrow();
            awaitStored(shrinking, etag);
        }
        try (TestFront exact = ready(TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE)
                .exactScaling().start())) {
            HttpResponse<byte[]> answer = process(exact, "/process?scale=0.25", image);
            assertEquals("miss", answer.headers().firstValue("X-Cache").orElseThrow());
            assertNotEquals(etag, answer.headers().firstValue("ETag").orElseThrow());
        }
    }

    /** A rerun of a batch is all hits, counted by the batch; its archive answers 304 to its ETag. */
    @Test
    void batchCountsItsHitsAndItsArchiveAnswers304() throws Exception {
        Multipart files = new Multipart().file("image", "a.png", "image/png", TestImages.png(64, 40))
                .file("image", "b.png", "image/png", TestImages.png(40, 64));
        String first = finishedBatch(files);
        for (JsonNode item : JSON.readTree(front.get("/batches/" + first).body()).path("tasks")) {
            awaitStored(front, item.path("task").path("cache").path("etag").asText());
        }
        String rerun = finishedBatch(files);
        assertEquals(0, JSON.readTree(front.get("/batches/" + first).body()).path("cache_hits").asInt());
        assertEquals(2, JSON.readTree(front.get("/batches/" + rerun).body()).path("cache_hits").asInt());

        HttpResponse<byte[]> archive = get(front, "/batches/" + rerun + "/archive", null);
        assertEquals(200, archive.statusCode());
        String etag = archive.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> revalidated = get(front, "/batches/" + rerun + "/archive", etag);
        assertEquals(304, revalidated.statusCode());
        assertEquals(0, revalidated.body().length);
        assertNotEquals(etag, get(front, "/batches/" + first + "/archive", null).headers().firstValue("ETag")
                .orElseThrow(), "another batch's tasks make another archive");
    }

    private static String finishedBatch(Multipart files) throws Exception {
        HttpResponse<String> accepted = front.post("/tasks", files);
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = JSON.readTree(accepted.body()).path("batch_id").asText();
        Await.until(Duration.ofSeconds(20), "batch " + id + " finished", () -> {
            try {
                return JSON.readTree(front.get("/batches/" + id).body()).path("finished").asBoolean();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return id;
    }

    @Test
    void byteLimitHoldsUnderAFloodOfDistinctImagesAndEvictionsAreCounted(@TempDir Path data) throws Exception {
        long budget = 150_000;
        try (TestFront small = ready(TestFront.builder().dataDir(data).option("--cache-size", Long.toString(budget))
                .start())) {
            Path cache = small.dataDir().resolve("cache");
            long largest = 0;
            long total = 0;
            for (int i = 0; i < 30; i++) {
                HttpResponse<byte[]> answer = process(small, "/process?format=png&scale=1",
                        TestImages.noisePng(100 + i, 100));
                assertEquals(200, answer.statusCode(), () -> new String(answer.body(), StandardCharsets.UTF_8));
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
            try (TestFront first = cachingFront(data)) {
                HttpResponse<byte[]> answer = process(first, "/process", image);
                assertEquals(200, answer.statusCode(), () -> new String(answer.body()));
                original = answer.body();
                entry = awaitStored(first, answer.headers().firstValue("ETag").orElseThrow());
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
            try (TestFront again = cachingFront(data)) {
                HttpResponse<byte[]> hit = process(again, "/process", image);
                assertEquals("hit", hit.headers().firstValue("X-Cache").orElseThrow(),
                        "the index survives a restart");
                assertArrayEquals(original, hit.body());
            }
        }
    }

    private static void assertRecomputed(Path data, byte[] image, byte[] original, Path entry) throws Exception {
        try (TestFront restarted = cachingFront(data)) {
            HttpResponse<byte[]> answer = process(restarted, "/process", image);
            assertEquals(200, answer.statusCode(), () -> new String(answer.body()));
            assertEquals("miss", answer.headers().firstValue("X-Cache").orElseThrow());
            assertArrayEquals(original, answer.body(), "the damaged entry was not served");
            assertEquals(1, restarted.metric("graypipe_cache_corrupt_entries_total"));
            Await.until(Duration.ofSeconds(10), "the entry written again",
                    () -> entry.toFile().length() > original.length);
        }
    }

    /**
     * {@code front} once it answers /readyz 200: a TestFront is started when its worker accepted it, which may
     * still be before the worker's first status report, when uploads get 503 worker_unavailable.
     */
    static TestFront ready(TestFront front) throws IOException {
        try {
            Await.until(Duration.ofSeconds(30), "/readyz 200", () -> {
                try {
                    return front.get("/readyz").statusCode() == 200;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
        } catch (RuntimeException | Error e) {
            front.close();
            throw e;
        }
        return front;
    }

    /** A ready front with the production cache size, on the data directory {@code data}. */
    private static TestFront cachingFront(Path data) throws Exception {
        return ready(TestFront.builder().dataDir(data).option("--cache-size", DEFAULT_CACHE_SIZE).start());
    }

    /** Waits until the cache writer has stored the entry of {@code etag}, and returns its file. */
    private static Path awaitStored(TestFront target, String etag) {
        Path entry = target.dataDir().resolve("cache").resolve(etag.replace("\"", ""));
        Await.until(Duration.ofSeconds(10), "cache entry " + entry, () -> Files.exists(entry));
        return entry;
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
