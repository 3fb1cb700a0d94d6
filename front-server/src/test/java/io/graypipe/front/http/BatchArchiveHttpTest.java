package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch per run ({@code POST /batches}, {@code ?batch=ID}, close) and its streamed ZIP. */
class BatchArchiveHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder().workerMode("threads").processes(2).start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    private static HttpResponse<String> postRaw(String path, byte[] image) throws Exception {
        return front.http().send(HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postEmpty(String path) throws Exception {
        return front.http().send(HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tasksJoinAnOpenBatchWhichFinishesWhenClosedAndItsArchiveHoldsEveryResult() throws Exception {
        HttpResponse<String> created = postEmpty("/batches");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode batch = JSON.readTree(created.body());
        String id = batch.get("id").asText();
        assertEquals("/batches/" + id + "/archive", batch.get("archive_url").asText());
        assertEquals("/batches/" + id, created.headers().firstValue("Location").orElse(""));

        byte[] jpeg = TestImages.jpeg(320, 200);
        for (String mode : List.of("processes", "threads")) {
            for (String ops : List.of("sepia", "blur:2,contrast:1.3")) {
                String query = "/tasks?batch=" + id + "&mode=" + mode + "&ops=" + URLEncoder.encode(ops, StandardCharsets.UTF_8);
                assertEquals(202, postRaw(query + "&filename=2026/a.jpg", jpeg).statusCode());
                HttpResponse<String> two = front.post(query, new Multipart()
                        .file("image", "b.png", "image/png", TestImages.png(200, 120))
                        .file("image", "b.png", "image/png", TestImages.png(100, 60))
                        .file("image", "../../etc/broken.jpg", "image/jpeg", TestImages.truncated(jpeg)));
                assertEquals(202, two.statusCode(), two.body());
                assertEquals(id, JSON.readTree(two.body()).get("batch_id").asText());
            }
        }
        HttpResponse<String> early = front.get("/batches/" + id + "/archive");
        assertEquals(409, early.statusCode(), early.body());
        assertTrue(early.body().contains("batch_not_finished"), early.body());
        assertEquals(false, JSON.readTree(front.get("/batches/" + id).body()).get("closed").asBoolean());

        HttpResponse<String> closed = postEmpty("/batches/" + id + "/close");
        assertEquals(200, closed.statusCode(), closed.body());
        HttpResponse<String> late = postRaw("/tasks?batch=" + id, jpeg);
        assertEquals(409, late.statusCode(), late.body());
        assertTrue(late.body().contains("batch_closed"), late.body());
        assertEquals(404, postRaw("/tasks?batch=" + "0".repeat(32), jpeg).statusCode());

        String events = front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + id + "/events"))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(events.contains("event: done"), events);
        JsonNode status = JSON.readTree(front.get("/batches/" + id).body());
        assertTrue(status.get("finished").asBoolean(), status.toString());
        assertEquals(16, status.get("total").asInt());
        assertEquals(12, status.get("done").asInt());
        assertEquals(4, status.get("failed").asInt());

        HttpResponse<InputStream> archive = front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + id
                + "/archive")).timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, archive.statusCode());
        assertEquals("application/zip", archive.headers().firstValue("Content-Type").orElse(""));
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(archive.body())) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        JsonNode manifest = JSON.readTree(entries.remove("manifest.json"));
        assertEquals(12, manifest.get("done").asInt());
        assertEquals(4, manifest.get("failed").asInt());
        List<String> expected = List.of();
        for (String mode : List.of("processes", "threads")) {
            for (String variant : List.of("blur-2_contrast-1.3", "sepia")) {
                expected = new java.util.ArrayList<>(expected);
                expected.addAll(List.of(mode + "/" + variant + "/2026/a.jpg", mode + "/" + variant + "/b-2.png",
                        mode + "/" + variant + "/b.png"));
            }
        }
        assertEquals(expected.stream().sorted().toList(), List.copyOf(entries.keySet()));
        Map<String, JsonNode> byEntry = new HashMap<>();
        int failures = 0;
        for (JsonNode task : manifest.get("tasks")) {
            if (task.hasNonNull("entry")) {
                byEntry.put(task.get("entry").asText(), task);
            } else {
                failures++;
                assertEquals("failed", task.get("status").asText());
                assertTrue(task.get("filename").asText().endsWith("broken.jpg"), task.toString());
                assertEquals("undecodable_image", task.at("/error/code").asText(), task.toString());
            }
        }
        assertEquals(4, failures);
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            JsonNode task = byEntry.get(entry.getKey());
            assertEquals(task.get("bytes").asLong(), entry.getValue().length, entry.getKey());
            byte[] result = front.http().send(HttpRequest.newBuilder(front.uri("/tasks/" + task.get("task_id")
                    .asText() + "/result")).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            assertArrayEquals(result, entry.getValue(), entry.getKey());
            int width = TestImages.decode(entry.getValue()).getWidth();
            assertEquals(entry.getKey().endsWith("a.jpg") ? 160 : entry.getKey().endsWith("b-2.png") ? 50 : 100,
                    width, entry.getKey());
        }
    }

    @Test
    void anArchiveLargerThanTheQueueStreamsWhole() throws Exception {
        String id = JSON.readTree(postEmpty("/batches").body()).get("id").asText();
        byte[] noisy = TestImages.noisePng(1400, 1000);
        int images = 6;
        for (int i = 0; i < images; i++) {
            assertEquals(202, postRaw("/tasks?scale=1&batch=" + id + "&filename=n.png", noisy).statusCode());
        }
        postEmpty("/batches/" + id + "/close");
        front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + id + "/events"))
                .timeout(Duration.ofSeconds(180)).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<InputStream> archive = front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + id
                + "/archive")).timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long total = 0;
        int count = 0;
        try (ZipInputStream zip = new ZipInputStream(archive.body())) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (!entry.getName().equals("manifest.json")) {
                    count++;
                    total += zip.readAllBytes().length;
                }
            }
        }
        assertEquals(images, count);
        assertTrue(total > 2 * BatchArchive.PAUSE_ABOVE_BYTES, "the ZIP passed the pause mark: " + total);
    }
}
