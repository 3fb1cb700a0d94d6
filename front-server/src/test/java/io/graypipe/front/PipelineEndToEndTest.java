package io.graypipe.front;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as a user runs it: a real front JVM on 127.0.0.1 and ::1 that starts a real scale-worker with
 * real child processes, driven over real sockets.
 */
class PipelineEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FrontProcess front;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startFront() throws IOException {
        front = FrontProcess.builder().listenOn("localhost", 2).args("--processes", "2").start();
    }

    @AfterAll
    static void stopFront() {
        if (front != null) {
            front.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "[::1]"})
    void syncUploadReturnsGrayImageAtHalfSize(String host) throws Exception {
        int rgb = 0x3C8CDC;
        byte[] jpeg = TestImages.write(TestImages.solid(101, 64, rgb), "jpg");
        Multipart body = new Multipart().file("image", "photo.jpg", "image/jpeg", jpeg);
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(front.uri(host, "/process?scale=0.5"))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertEquals("image/jpeg", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("50", response.headers().firstValue("X-Image-Width").orElseThrow());
        assertEquals("32", response.headers().firstValue("X-Image-Height").orElseThrow());
        assertEquals(32, response.headers().firstValue("X-Task-Id").orElseThrow().length());
        BufferedImage out = TestImages.decode(response.body());
        assertEquals(50, out.getWidth());
        assertEquals(32, out.getHeight());
        assertEquals(1, out.getRaster().getNumBands(), "output is single-channel gray");
        assertEquals(TestImages.luma(rgb), TestImages.grayAt(out, 25, 16), 3.0, "gray value within JPEG tolerance");
    }

    @Test
    void rawPngBodyKeepsPngAndExactLuma() throws Exception {
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x000000, 0x808080, 0x123456, 0xFEDCBA};
        for (int i = 0; i < colours.length; i++) {
            image.setRGB(i % 4, i / 4, colours[i]);
        }
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(front.uri("/process?scale=1"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestImages.write(image, "png"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertEquals("image/png", response.headers().firstValue("Content-Type").orElseThrow());
        BufferedImage out = TestImages.decode(response.body());
        for (int i = 0; i < colours.length; i++) {
            assertEquals(TestImages.luma(colours[i]), TestImages.grayAt(out, i % 4, i / 4), "pixel " + i);
        }
    }

    @Test
    void asyncTaskCanBePolledAndFetched() throws Exception {
        byte[] png = TestImages.write(TestImages.noisyPhoto(200, 120, 7), "png");
        Multipart body = new Multipart().file("file", "a.png", "image/png", png).field("scale", "0.25")
                .field("format", "jpeg").field("quality", "70");
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(front.uri("[::1]", "/tasks"))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(202, accepted.statusCode(), accepted::body);
        JsonNode task = JSON.readTree(accepted.body());
        String id = task.get("id").asText();
        assertEquals("/tasks/" + id, accepted.headers().firstValue("Location").orElseThrow());
        assertEquals("/tasks/" + id, task.get("status_url").asText());
        assertEquals("/tasks/" + id + "/result", task.get("result_url").asText());

        AtomicReference<JsonNode> status = new AtomicReference<>();
        Await.until(Duration.ofSeconds(20), "task " + id + " to finish", () -> {
            status.set(getJson("/tasks/" + id));
            return List.of("done", "failed").contains(status.get().get("status").asText());
        });
        JsonNode done = status.get();
        assertEquals("done", done.get("status").asText(), done::toString);
        assertEquals(0.25, done.get("scale").asDouble());
        assertEquals("png", done.at("/input/format").asText());
        assertEquals(200, done.at("/input/width").asInt());
        assertEquals(png.length, done.at("/input/bytes").asLong());
        assertEquals("jpeg", done.at("/output/format").asText());
        assertEquals(50, done.at("/output/width").asInt());
        assertEquals(30, done.at("/output/height").asInt());
        assertTrue(done.get("created_at").asText().endsWith("Z"));

        HttpResponse<byte[]> result = http.send(HttpRequest.newBuilder(front.uri("/tasks/" + id + "/result")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, result.statusCode());
        assertEquals("image/jpeg", result.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(done.at("/output/bytes").asLong(), result.body().length);
        assertEquals(50, TestImages.decode(result.body()).getWidth());

        HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(front.uri("/tasks/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, deleted.statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(front.uri("/tasks/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void routingErrorsAreJsonWithTheRightStatus() throws Exception {
        HttpResponse<String> unknownTask = get("/tasks/0123456789abcdef0123456789abcdef");
        assertEquals(404, unknownTask.statusCode());
        assertEquals("task_not_found", JSON.readTree(unknownTask.body()).at("/error/code").asText());

        HttpResponse<String> unknownPath = get("/nope");
        assertEquals(404, unknownPath.statusCode());
        assertEquals("not_found", JSON.readTree(unknownPath.body()).at("/error/code").asText());

        HttpResponse<String> wrongMethod = get("/process");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertEquals("method_not_allowed", JSON.readTree(wrongMethod.body()).at("/error/code").asText());

        HttpResponse<String> badScale = http.send(HttpRequest.newBuilder(front.uri("/process?scale=1.5"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badScale.statusCode());
        JsonNode error = JSON.readTree(badScale.body()).get("error");
        assertEquals("bad_parameter", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("scale"));

        HttpResponse<String> health = get("/healthz");
        assertEquals(200, health.statusCode());
        assertEquals("ok", JSON.readTree(health.body()).get("status").asText());
    }

    @Test
    void sixteenConcurrentUploadsAllComeBackCorrect() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int width = 300 + 17 * i;
            int height = 200 + 5 * i;
            int rgb = 0x102030 * (i + 1) & 0xFFFFFF;
            byte[] png = TestImages.write(TestImages.solid(width, height, rgb), "png");
            expected.add(new int[]{width / 2, height / 2, TestImages.luma(rgb)});
            String host = i % 2 == 0 ? "127.0.0.1" : "[::1]";
            responses.add(http.sendAsync(HttpRequest.newBuilder(front.uri(host, "/process?scale=0.5"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < 16; i++) {
            HttpResponse<byte[]> response = responses.get(i).get();
            assertEquals(200, response.statusCode(), "upload " + i + ": " + new String(response.body()));
            BufferedImage out = TestImages.decode(response.body());
            assertEquals(expected.get(i)[0], out.getWidth(), "width of upload " + i);
            assertEquals(expected.get(i)[1], out.getHeight(), "height of upload " + i);
            assertEquals(expected.get(i)[2], TestImages.grayAt(out, out.getWidth() / 2, out.getHeight() / 2),
                    "gray of upload " + i);
        }
    }

    @Test
    void childKilledMidRequestLosesNothing() throws Exception {
        Await.until(Duration.ofSeconds(30), "two live children", () -> front.children().size() == 2);
        List<ProcessHandle> before = front.children();
        byte[] jpeg = TestImages.write(TestImages.noisyPhoto(2400, 1600, 3), "jpg");
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            responses.add(http.sendAsync(HttpRequest.newBuilder(front.uri("/process?scale=0.5"))
                    .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        ProcessHandle victim = before.get(0);
        assertTrue(victim.destroyForcibly(), "kill -9 of child " + victim.pid());
        for (CompletableFuture<HttpResponse<byte[]>> future : responses) {
            HttpResponse<byte[]> response = future.get();
            assertEquals(200, response.statusCode(), () -> new String(response.body()));
            assertEquals(1200, TestImages.decode(response.body()).getWidth());
        }
        Await.until(Duration.ofSeconds(30), "the pool to be back to two children", () -> {
            List<ProcessHandle> now = front.children();
            return now.size() == 2 && !now.contains(victim);
        });
        assertFalse(victim.isAlive());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(front.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String path) {
        try {
            return JSON.readTree(get(path).body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

}
