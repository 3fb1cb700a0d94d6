package io.graypipe.front.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest {
    private static TestFront front;

    @BeforeAll
    static void startAndProcessOneImage() throws Exception {
        front = TestFront.builder().workerMode("processes").processes(2).start();
        HttpResponse<String> processed = front.post("/process",
                new Multipart().file("image", "a.png", "image/png", TestImages.png(64, 48)));
        assertEquals(200, processed.statusCode(), processed.body());
    }

    @AfterAll
    static void stop() throws IOException {
        front.close();
    }

    @Test
    void metricsHaveEveryKeyFamilyWithLiveValues() throws Exception {
        HttpResponse<String> response = front.get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = response.body();
        for (String family : new String[]{"graypipe_http_requests_total", "graypipe_http_request_duration_seconds",
                "graypipe_stage_duration_seconds", "graypipe_queue_depth", "graypipe_tasks",
                "graypipe_tasks_finished_total", "graypipe_images_in_flight", "graypipe_worker_children",
                "graypipe_worker_child_restarts_total", "graypipe_worker_child_requests_total",
                "graypipe_http_received_bytes_total", "graypipe_http_sent_bytes_total", "graypipe_worker_up",
                "jvm_memory_used_bytes"}) {
            assertTrue(text.contains("# TYPE " + family + " ") || text.contains("# TYPE " + family.replace("_total", "") + " "),
                    "missing family " + family);
        }
        assertEquals(1, value(text, "graypipe_http_requests_total{method=\"POST\",route=\"/process\",status=\"200\"}"));
        for (String stage : FrontMetrics.STAGES) {
            assertEquals(1, value(text, "graypipe_stage_duration_seconds_count{stage=\"" + stage + "\"}"), stage);
        }
        assertEquals(2, value(text, "graypipe_worker_children{state=\"alive\"}"));
        assertEquals(2, value(text, "graypipe_worker_children{state=\"configured\"}"));
        assertEquals(0, value(text, "graypipe_worker_child_restarts_total"));
        assertEquals(1, value(text, "graypipe_worker_child_requests_total{slot=\"0\"}")
                + value(text, "graypipe_worker_child_requests_total{slot=\"1\"}"));
        assertEquals(1, value(text, "graypipe_tasks_finished_total{state=\"done\"}"));
        assertEquals(1, value(text, "graypipe_worker_up"));
        assertTrue(value(text, "graypipe_http_received_bytes_total") > 64 * 48 / 10);
        assertTrue(value(text, "jvm_memory_used_bytes{area=\"heap\"}") > 0);
    }

    @Test
    void promtoolFindsNothingWrong() throws Exception {
        Path promtool = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst().orElse(null);
        ExternalTools.require(promtool != null, "GRAYPIPE_REQUIRE_PROMTOOL",
                "promtool is not on PATH (apt-get install prometheus)");
        String text = front.get("/metrics").body();
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, check.exitValue(), output);
        assertEquals("", output.strip(), "promtool complaints");
    }

    @Test
    void statsShowTheSameFiguresAsJson() throws Exception {
        HttpResponse<String> response = front.get("/stats");
        assertEquals(200, response.statusCode());
        JsonNode stats = new ObjectMapper().readTree(response.body());
        assertTrue(stats.get("uptime_seconds").asDouble() > 0);
        assertEquals(1, stats.at("/tasks/finished_total/done").asLong());
        assertEquals(2, stats.at("/pool/alive").asInt());
        assertEquals(2, stats.at("/pool/children").size());
        assertEquals(1, stats.at("/stages/grayscale/count").asLong());
        assertTrue(stats.at("/stages/scaling/p50_ms").asDouble() > 0);
        assertTrue(stats.at("/stages/scaling/p95_ms").asDouble() >= stats.at("/stages/scaling/p50_ms").asDouble());
        assertTrue(stats.at("/rates/images_per_second").asDouble() > 0);
        assertTrue(stats.at("/jvm/heap_used_bytes").asLong() > 0);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no sample " + series);
        return Double.parseDouble(m.group(1));
    }
}
