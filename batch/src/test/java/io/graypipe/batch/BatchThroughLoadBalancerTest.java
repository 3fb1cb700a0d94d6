package io.graypipe.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.SharedFronts;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/batch --url} against HAProxy ({@code deploy/haproxy.cfg}) in front of two fronts sharing one
 * Redis, as {@code scripts/cluster} runs them: the run's one batch is opened on one front and takes uploads
 * through both, every output comes back, and the batch and its archive are read back through the balancer.
 * Fails rather than skips where {@code GRAYPIPE_REQUIRE_HAPROXY} and {@code GRAYPIPE_REQUIRE_REDIS} are set.
 */
class BatchThroughLoadBalancerTest {
    private static final int IMAGES = 8;
    private static final String UPLOADS_ACCEPTED =
            "graypipe_http_requests_total{method=\"POST\",route=\"/tasks\",status=\"202\"}";

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aRunThroughTheBalancerSpreadsItsBatchOverBothFronts() throws Exception {
        Path input = dir.resolve("photos");
        Files.createDirectories(input.resolve("sub"));
        for (int i = 0; i < IMAGES; i++) {
            Path file = input.resolve(i % 2 == 0 ? "p" + i + ".png" : "sub/j" + i + ".jpg");
            Files.write(file, i % 2 == 0 ? TestImages.png(120 + i, 80) : TestImages.jpeg(160 + i, 90));
        }
        Path output = dir.resolve("out");
        try (SharedFronts fronts = SharedFronts.start(); LoadBalancer lb = fronts.balanced()) {
            String url = lb.uri("/").toString().replaceAll("/$", "");
            CliProcess cli = CliProcess.run(input.toString(), output.toString(), "--url", url,
                    "--concurrency", "4");
            assertEquals(0, cli.exitCode(), cli.output());
            try (var outputs = Files.walk(output.resolve("gray"))) {
                assertEquals(IMAGES, outputs.filter(Files::isRegularFile).count(), cli.output());
            }
            // leastconn gives the four uploads in flight to both fronts: one batch, joined on each.
            for (TestFront front : List.of(fronts.a(), fronts.b())) {
                assertTrue(front.metric(UPLOADS_ACCEPTED) > 0,
                        "no upload of the run reached the front at " + front.address() + "\n" + lb.output());
            }
            assertEquals(IMAGES, fronts.a().metric(UPLOADS_ACCEPTED) + fronts.b().metric(UPLOADS_ACCEPTED));

            String batchId = FrontClient.JSON.readTree(output.resolve("report.json").toFile()).get("batch_id").asText();
            JsonNode batch = FrontProcess.json(lb.get("/batches/" + batchId));
            assertEquals(IMAGES, batch.get("total").asInt(), batch.toString());
            assertTrue(batch.get("closed").asBoolean() && batch.get("finished").asBoolean(), batch.toString());
            assertEquals(IMAGES, batch.get("done").asInt(), batch.toString());

            HttpResponse<byte[]> archive = lb.get("/batches/" + batchId + "/archive");
            assertEquals(200, archive.statusCode(), () -> new String(archive.body()));
            assertEquals("application/zip", archive.headers().firstValue("Content-Type").orElse(""));
            // The CLI deleted each task once it had the result, so the ZIP holds its manifest: every file, done.
            JsonNode manifest = manifest(archive.body());
            assertEquals(IMAGES, manifest.get("total").asInt(), manifest.toString());
            List<String> names = new ArrayList<>();
            manifest.get("tasks").forEach(task -> {
                assertEquals("done", task.get("status").asText(), task.toString());
                names.add(task.get("filename").asText());
            });
            assertEquals(IMAGES, names.stream().distinct().count(), "one entry per file: " + names);
        }
    }

    /** {@code manifest.json} of a ZIP read whole (a cut archive fails here). */
    private static JsonNode manifest(byte[] zip) throws IOException {
        JsonNode manifest = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals("manifest.json")) {
                    manifest = FrontClient.JSON.readTree(bytes);
                }
            }
        }
        assertTrue(manifest != null, "no manifest.json in the archive");
        return manifest;
    }
}
