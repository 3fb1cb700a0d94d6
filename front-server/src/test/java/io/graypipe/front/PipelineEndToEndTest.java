package io.graypipe.front;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as a user runs it: a real front JVM on 127.0.0.1 and ::1 that starts a real scale-worker with
 * real child processes, driven over real sockets; filter chains, modes and variants included.
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


    /**
     * Filter chains (issue 11) through the same front: its worker runs in processes mode, so {@code mode=threads}
     * and {@code mode=processes} both run for real.
     */
    @Nested
    class Filters {
        /** A mid-gray photo, as {@code curl -F image=@photo.jpg} would send it. */
        private static final byte[] PHOTO = TestImages.write(TestImages.solid(200, 100, 0x808080), "jpg");

        private static HttpResponse<byte[]> post(URI uri, Multipart body) {
            return front.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", body.contentType()).POST(body.publisher()).build());
        }

        private static HttpResponse<byte[]> process(String query) {
            return post(front.uri("/process?" + query), new Multipart().file("image", "photo.jpg", "image/jpeg", PHOTO));
        }

        private static String text(HttpResponse<byte[]> response) {
            return new String(response.body(), StandardCharsets.UTF_8);
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }

        @ParameterizedTest
        @ValueSource(strings = {"127.0.0.1", "[::1]"})
        void sepiaGivesAHalfSizeColourJpegTonedBrown(String host) {
            HttpResponse<byte[]> response = post(front.uri(host, "/process?scale=0.5&ops=sepia"),
                    new Multipart().file("image", "photo.jpg", "image/jpeg", PHOTO));

            assertEquals(200, response.statusCode(), () -> text(response));
            assertEquals("image/jpeg", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("100", response.headers().firstValue("X-Image-Width").orElseThrow());
            assertEquals("50", response.headers().firstValue("X-Image-Height").orElseThrow());
            BufferedImage out = TestImages.readRgb(response.body());
            assertEquals(3, out.getColorModel().getNumColorComponents(), "sepia makes a colour JPEG");
            int rgb = out.getRGB(50, 25);
            int r = (rgb >> 16) & 0xff;
            int g = (rgb >> 8) & 0xff;
            int b = rgb & 0xff;
            assertTrue(r > g && g > b, "sepia on mid-gray is R > G > B: " + r + "," + g + "," + b);
            // CSS sepia(1) on v = 128: R = 1.351·v = 173, G = 1.203·v = 154, B = 0.937·v = 120; JPEG moves a few levels.
            assertEquals(173, r, 6);
            assertEquals(154, g, 6);
            assertEquals(120, b, 6);
        }

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "invert; 100; 50", "posterize:2; 100; 50", "blur:3,contrast:1.5; 100; 50", "edges; 100; 50",
                "watermark:graypipe; 100; 50", "rotate:90; 50; 100", "resize:40x40; 40; 20", "flip:h,sharpen; 100; 50"})
        void eachChainAnswersAnImageOfTheSizeAfterItsOps(String ops, int width, int height) {
            HttpResponse<byte[]> response = process("scale=0.5&ops=" + encode(ops));

            assertEquals(200, response.statusCode(), () -> ops + ": " + text(response));
            assertEquals(String.valueOf(width), response.headers().firstValue("X-Image-Width").orElseThrow(), ops);
            assertEquals(String.valueOf(height), response.headers().firstValue("X-Image-Height").orElseThrow(), ops);
            BufferedImage out = TestImages.decode(response.body());
            assertEquals(width, out.getWidth(), ops);
            assertEquals(height, out.getHeight(), ops);
            assertEquals(1, out.getRaster().getNumBands(), ops + " stays gray");
        }

        @Test
        void invertAndPosterizeChangeTheLevelsAsDefined() {
            byte[] png = TestImages.write(TestImages.solid(40, 20, 0x909090), "png");
            BufferedImage inverted = TestImages.decode(front.post("/process?ops=invert", png).body());
            assertEquals(255 - 144, TestImages.grayAt(inverted, 10, 5), "invert is 255 - v");
            BufferedImage posterized = TestImages.decode(front.post("/process?ops=posterize:1", png).body());
            assertEquals(128, TestImages.grayAt(posterized, 10, 5), "posterize:1 keeps the top bit of 144");
            BufferedImage both = TestImages.decode(front.post("/process?ops=invert,posterize:1", png).body());
            assertEquals(0, TestImages.grayAt(both, 10, 5), "order matters: 111 has its top bit clear");
        }

        @Test
        void threadsAndProcessesGiveTheSameBytesThroughHttp() {
            for (String format : List.of("png", "jpeg")) {
                String query = "scale=0.5&format=" + format + "&ops=" + encode("blur:2,sepia,watermark:graypipe");
                HttpResponse<byte[]> threads = process(query + "&mode=threads");
                HttpResponse<byte[]> processes = process(query + "&mode=processes");
                assertEquals(200, threads.statusCode(), () -> text(threads));
                assertEquals(200, processes.statusCode(), () -> text(processes));
                assertArrayEquals(threads.body(), processes.body(), format);
            }
        }

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "ops=blur:80; blur radius 80", "ops=sparkle; sparkle", "ops=posterize; posterize",
                "ops=resize:0x10; resize", "ops=watermark:; watermark",
                "ops=invert,invert,invert,invert,invert,invert,invert,invert,invert,invert,invert; at most 10",
                "mode=fast; processes or threads", "ops=sepia&ops=invert; POST /tasks"})
        void badChainsAndModesAre400NamingTheBadPart(String query, String named) {
            HttpResponse<byte[]> response = process(query);

            assertEquals(400, response.statusCode(), () -> query + ": " + text(response));
            JsonNode error = FrontProcess.json(response).get("error");
            assertEquals("bad_parameter", error.get("code").asText());
            assertTrue(error.get("message").asText().contains(named), () -> query + ": " + error);
        }

        @Test
        void opsListsTheCatalogue() {
            HttpResponse<byte[]> response = front.get("/ops");

            assertEquals(200, response.statusCode());
            JsonNode catalogue = FrontProcess.json(response);
            assertEquals(10, catalogue.get("max_ops").asInt());
            List<String> names = new ArrayList<>();
            catalogue.get("ops").forEach(op -> names.add(op.get("name").asText()));
            assertEquals(List.of("invert", "brightness", "contrast", "blur", "sharpen", "edges", "emboss", "posterize",
                    "sepia", "watermark", "resize", "rotate", "flip"), names);
            JsonNode blurRadius = catalogue.get("ops").get(3).get("parameters").get(0);
            assertEquals("radius", blurRadius.get("name").asText());
            assertEquals(50, blurRadius.get("max").asDouble());
            assertTrue(blurRadius.get("min_exclusive").asBoolean());
        }

        @Test
        void aBatchHoldsOneTaskPerFileAndVariantAndCountsPerVariant() {
            Multipart files = new Multipart().file("image", "a.jpg", "image/jpeg", PHOTO)
                    .file("image", "b.png", "image/png", TestImages.png(120, 80))
                    .field("ops", "blur:1");
            HttpResponse<byte[]> accepted = post(front.uri("[::1]", "/tasks?ops=sepia&ops=invert&mode=threads"), files);

            assertEquals(202, accepted.statusCode(), () -> text(accepted));
            JsonNode body = FrontProcess.json(accepted);
            List<String> variants = new ArrayList<>();
            body.get("tasks").forEach(task -> variants.add(task.get("filename").asText() + "/" + task.get("variant").asText()));
            assertEquals(List.of("a.jpg/sepia", "a.jpg/invert", "b.png/sepia", "b.png/invert"), variants,
                    "the query's ops win over the form field's");
            String batch = "/batches/" + body.get("batch_id").asText();
            Await.until(Duration.ofSeconds(60), "the batch to finish",
                    () -> FrontProcess.json(front.get(batch)).get("finished").asBoolean());

            JsonNode status = FrontProcess.json(front.get(batch));
            assertEquals(4, status.get("done").asInt(), status::toString);
            for (String variant : List.of("sepia", "invert")) {
                JsonNode counts = status.get("variants").get(variant);
                assertEquals(variant, counts.get("ops").asText());
                assertEquals(2, counts.get("total").asInt(), status::toString);
                assertEquals(2, counts.get("done").asInt(), status::toString);
                assertEquals(0, counts.get("failed").asInt(), status::toString);
            }
            JsonNode task = status.get("tasks").get(0).get("task");
            assertEquals("sepia", task.get("ops").asText());
            assertEquals("sepia", task.get("variant").asText());
            assertEquals("threads", task.get("mode").asText());
            assertEquals("threads", task.get("ran_in").asText());
            BufferedImage sepia = TestImages.readRgb(front.get("/tasks/" + task.get("id").asText() + "/result").body());
            assertEquals(3, sepia.getColorModel().getNumColorComponents());
        }

        @Test
        void oneFileWithTwoVariantsIsABatchOfTwo() {
            Multipart form = new Multipart().file("image", "a.jpg", "image/jpeg", PHOTO)
                    .field("ops", "rotate:90").field("ops", "flip:v");
            HttpResponse<byte[]> accepted = post(front.uri("/tasks"), form);

            assertEquals(202, accepted.statusCode(), () -> text(accepted));
            JsonNode tasks = FrontProcess.json(accepted).get("tasks");
            assertEquals(2, tasks.size(), tasks::toString);
            assertEquals("rotate-90", tasks.get(0).get("variant").asText());
            assertEquals("flip-v", tasks.get(1).get("variant").asText());
            HttpResponse<byte[]> repeated = post(front.uri("/tasks?ops=sepia&ops=sepia"),
                    new Multipart().file("image", "a.jpg", "image/jpeg", PHOTO));
            assertEquals(400, repeated.statusCode(), () -> text(repeated));
            assertTrue(text(repeated).contains("given twice"), () -> text(repeated));
        }

        @Test
        @Timeout(180)
        void aFrontRestartedWithAQueuedTaskRunsItsChain(@TempDir Path dir) throws Exception {
            Path data = dir.resolve("data");
            Path token = Files.writeString(dir.resolve("token"), "filters-test-token\n");
            String id;
            // No worker listens on port 1, so the task stays queued on disk until the front is killed.
            try (FrontProcess first = FrontProcess.builder().awaitReady(false).dataDir(data)
                    .args("--worker", "127.0.0.1:1", "--worker-token-file", token.toString()).start()) {
                HttpResponse<byte[]> accepted = first.post("/tasks?format=png&mode=threads&ops=" + encode("sepia,flip:h"),
                        TestImages.png(64, 32));
                assertEquals(202, accepted.statusCode(), () -> text(accepted));
                id = FrontProcess.json(accepted).get("id").asText();
                first.kill9();
            }
            try (FrontProcess second = FrontProcess.builder().dataDir(data).args("-n", "1").start()) {
                Await.until(Duration.ofSeconds(60), "the restarted task to finish",
                        () -> FrontProcess.json(second.get("/tasks/" + id)).get("status").asText().equals("done"));
                JsonNode status = FrontProcess.json(second.get("/tasks/" + id));
                assertEquals("sepia,flip:h", status.get("ops").asText());
                assertEquals("threads", status.get("mode").asText());
                assertEquals("threads", status.get("ran_in").asText());
                BufferedImage out = TestImages.decode(second.get("/tasks/" + id + "/result").body());
                assertEquals(3, out.getColorModel().getNumColorComponents(), "the chain ran: sepia made it colour");
            }
        }
    }
}
