package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.SharedFronts;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open batches with a shared store ({@code --store}): a batch opened on front A takes files through front B and
 * through A, is closed on A, streams its events on B, and its archive downloads whole from either front. Two
 * fronts in this JVM on one real Redis.
 */
class SharedBatchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SharedFronts fronts;
    private static TestFront a;
    private static TestFront b;

    @BeforeAll
    static void start() throws Exception {
        fronts = SharedFronts.start();
        a = fronts.a();
        b = fronts.b();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fronts != null) {
            fronts.close();
        }
    }

    @Test
    @Timeout(90)
    void aBatchOpenedOnOneFrontTakesFilesThroughBothAndDownloadsFromEither() throws Exception {
        HttpResponse<String> opened = a.http().send(HttpRequest.newBuilder(a.uri("/batches"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, opened.statusCode(), opened.body());
        String id = JSON.readTree(opened.body()).get("id").asText();

        assertEquals(202, upload(b, id, "one.png", TestImages.png(200, 100)).statusCode());
        assertEquals(202, upload(a, id, "two.png", TestImages.png(120, 90)).statusCode());
        JsonNode open = batch(b, id);
        assertEquals(2, open.get("total").asInt(), open.toString());
        assertTrue(!open.get("closed").asBoolean() && !open.get("finished").asBoolean(), open.toString());
        Await.until(Duration.ofSeconds(30), "both tasks of the open batch to finish",
                () -> batch(a, id).get("done").asInt() == 2);
        // Every task is done, but the batch is open: not finished, no archive yet.
        HttpResponse<String> early = b.get("/batches/" + id + "/archive");
        assertEquals(409, early.statusCode(), early.body());
        assertTrue(early.body().contains("batch_not_finished"), early.body());

        CompletableFuture<HttpResponse<String>> events = b.http().sendAsync(
                HttpRequest.newBuilder(b.uri("/batches/" + id + "/events")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> closed = a.http().send(HttpRequest.newBuilder(a.uri("/batches/" + id + "/close"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, closed.statusCode(), closed.body());
        assertTrue(JSON.readTree(closed.body()).get("closed").asBoolean(), closed.body());
        String stream = events.get(30, TimeUnit.SECONDS).body();
        assertTrue(stream.contains("event: done"), "the batch's stream on B ends with done: " + stream);

        HttpResponse<String> late = upload(b, id, "three.png", TestImages.png(50, 50));
        assertEquals(409, late.statusCode(), late.body());
        assertTrue(late.body().contains("batch_closed"), late.body());
        assertEquals(404, upload(a, "0".repeat(32), "lost.png", TestImages.png(50, 50)).statusCode());

        for (TestFront front : List.of(a, b)) {
            HttpResponse<byte[]> archive = front.http().send(HttpRequest.newBuilder(
                    front.uri("/batches/" + id + "/archive")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, archive.statusCode());
            assertEquals("application/zip", archive.headers().firstValue("Content-Type").orElse(""));
            List<String> entries = entries(archive.body());
            assertEquals(3, entries.size(), "two images and the manifest: " + entries);
            assertTrue(entries.contains("manifest.json"), entries.toString());
        }
    }

    private static int status(TestFront front, String path) {
        try {
            return front.get(path).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode batch(TestFront front, String id) {
        try {
            return JSON.readTree(front.get("/batches/" + id).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The page's batch flow through the project's HAProxy config: open, four files sent at once (leastconn spreads
     * them over both fronts), close, wait for done, download the archive, every call through the balancer.
     */
    @Test
    @Timeout(90)
    void theBatchFlowWorksThroughTheLoadBalancer() throws Exception {
        try (LoadBalancer lb = fronts.balanced()) {
            HttpResponse<byte[]> opened = lb.send(HttpRequest.newBuilder(lb.uri("/batches"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(201, opened.statusCode(), () -> new String(opened.body()));
            String id = JSON.readTree(opened.body()).get("id").asText();
            List<CompletableFuture<HttpResponse<byte[]>>> uploads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int width = 100 + i;
                uploads.add(CompletableFuture.supplyAsync(() -> lb.post("/tasks?batch=" + id + "&filename=f" + width
                        + ".png", TestImages.png(width, 80))));
            }
            for (CompletableFuture<HttpResponse<byte[]>> upload : uploads) {
                assertEquals(202, upload.get(60, TimeUnit.SECONDS).statusCode());
            }
            HttpResponse<byte[]> closed = lb.send(HttpRequest.newBuilder(lb.uri("/batches/" + id + "/close"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(200, closed.statusCode(), () -> new String(closed.body()));
            Await.until(Duration.ofSeconds(30), "the batch to finish", () -> FrontProcess.json(
                    lb.send(HttpRequest.newBuilder(lb.uri("/batches/" + id)).build())).get("finished").asBoolean());
            HttpResponse<byte[]> archive = lb.send(HttpRequest.newBuilder(lb.uri("/batches/" + id + "/archive")).build());
            assertEquals(200, archive.statusCode());
            assertEquals(5, entries(archive.body()).size(), "four images and the manifest");
        }
    }

    /**
     * An upload run longer than the result TTL, into one open batch: its first result must still be in the
     * archive. The cluster chaos soak found an archive with one image for three done tasks, the first results
     * expired under a batch still running. Each join keeps the open batch; the front keeps its members.
     */
    @Test
    @Timeout(90)
    void aBatchLongerThanTheResultTtlStillArchivesItsFirstResult() throws Exception {
        Duration ttl = Duration.ofSeconds(2);
        try (RedisServer redis = RedisServer.start();
             TestFront front = TestFront.builder().store(redis.uri()).args("--result-ttl", "2s").start()) {
            HttpResponse<String> opened = front.http().send(HttpRequest.newBuilder(front.uri("/batches"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            String id = JSON.readTree(opened.body()).get("id").asText();
            String first = join(front, id, 0);
            String alone = JSON.readTree(front.post("/tasks?format=png", new Multipart().file("image", "alone.png",
                    "image/png", TestImages.png(60, 40))).body()).get("id").asText();
            Await.until(Duration.ofSeconds(30), "the first task done", () -> batch(front, id).get("done").asInt() == 1);
            // The run goes on, one file after the other, until a task in no batch has expired and one more TTL.
            int[] files = {1};
            long[] oneMoreTtl = {Long.MAX_VALUE};
            Await.until(Duration.ofSeconds(60), "a task in no batch gone, then one more TTL", () -> {
                String next = join(front, id, files[0]++);
                Await.until(Duration.ofSeconds(30), "file " + files[0] + " done",
                        () -> status(front, "/tasks/" + next + "/result") == 200);
                assertEquals(200, status(front, "/tasks/" + first + "/result"),
                        "a batch member's result outlives its TTL while the batch runs");
                if (oneMoreTtl[0] == Long.MAX_VALUE && status(front, "/tasks/" + alone + "/result") == 404) {
                    oneMoreTtl[0] = System.nanoTime() + ttl.toNanos();
                }
                return System.nanoTime() > oneMoreTtl[0];
            });

            front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + id + "/close"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            Await.until(Duration.ofSeconds(30), "the batch to finish", () -> batch(front, id).get("finished")
                    .asBoolean());
            HttpResponse<byte[]> archive = front.http().send(HttpRequest.newBuilder(
                    front.uri("/batches/" + id + "/archive")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, archive.statusCode());
            assertEquals(files[0] + 1, entries(archive.body()).size(), "every image and the manifest");
        }
    }

    /** Uploads file number {@code n} into the open batch; its task's id. */
    private static String join(TestFront front, String batch, int n) {
        try {
            HttpResponse<String> joined = upload(front, batch, "file-" + n + ".png", TestImages.png(60, 40));
            assertEquals(202, joined.statusCode(), joined.body());
            return JSON.readTree(joined.body()).get("tasks").get(0).get("id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> upload(TestFront front, String batch, String name, byte[] png)
            throws IOException, InterruptedException {
        return front.post("/tasks?batch=" + batch + "&format=png",
                new Multipart().file("image", name, "image/png", png));
    }

    /** The names of a ZIP's entries, each read whole (a cut archive fails here). */
    private static List<String> entries(byte[] zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                assertTrue(in.readAllBytes().length > 0, "empty entry " + entry.getName());
                names.add(entry.getName());
            }
        }
        return names;
    }
}
