package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    private static LoadResult result(String name, int clients, double imagesPerSecond, double p50, double p99,
                                     long peakTotalRss) {
        ProcessSampler.TreeStats tree = new ProcessSampler.TreeStats(3.0, peakTotalRss, peakTotalRss, 10,
                List.of(new ProcessSampler.ProcessStats(1, 0, "java -jar graypipe.jar", 3.0, peakTotalRss,
                        peakTotalRss, true)));
        return new LoadResult(name, Map.of("worker_mode", "processes"), "sync", "http://127.0.0.1:1", "/x/4k.jpg",
                2_700_000, 0.5, "jpeg", 85, clients, 0, 10, null, null, (long) (imagesPerSecond * 10), imagesPerSecond,
                imagesPerSecond * 2.7, 0.1, 100, 100, Map.of(),
                new LatencySamples.Summary(100, p50 / 2, p50, p50, p99, p99, p99 * 1.1), 1.0, 3.0, 0.03, tree, null);
    }

    @Test
    void checksEveryTargetAgainstItsScenarioAndWritesBothReports(@TempDir Path dir) throws Exception {
        Path scenarios = Files.createDirectories(dir.resolve("scenarios"));
        LoadClient.JSON.writeValue(scenarios.resolve("01-jpeg4k-c1.json").toFile(),
                result("jpeg4k-c1", 1, 12, 80, 90, 300L << 20));
        // 35 img/s passes; p99 of 400 ms against a single-client p50 of 80 ms is 5x and fails.
        LoadResult c4 = result("jpeg4k-c4", 4, 35, 110, 400, 500L << 20);
        ServerTimings.Summary timing = new ServerTimings.Summary(50, Map.of("gray", new ServerTimings.Stage(32, 30)),
                new ServerTimings.Band(5, 110.0, Map.of("gray", 30.0), 80.0),
                new ServerTimings.Band(1, 400.0, Map.of("gray", 70.0), 330.0));
        LoadClient.JSON.writeValue(scenarios.resolve("02-jpeg4k-c4.json").toFile(), withTiming(c4, timing));
        LoadClient.JSON.writeValue(scenarios.resolve("03-jpeg4k-c16.json").toFile(),
                result("jpeg4k-c16", 16, 36, 400, 600, 1100L << 20));
        Files.writeString(dir.resolve("startup.tsv"), "jpeg4k-c1\tprocesses\t1200\t1500\njpeg4k-c4\tprocesses\t900\t-\n");

        int exit = new CommandLine(new BenchMain()).execute("report", "--dir", dir.toString(), "--commit", "abc123");
        assertEquals(0, exit);

        JsonNode report = LoadClient.JSON.readTree(dir.resolve("report.json").toFile());
        assertEquals("abc123", report.path("commit").asText());
        assertEquals(3, report.path("scenarios").size());
        assertEquals(2, report.path("startup").size());
        JsonNode targets = report.path("targets");
        assertEquals(5, targets.size());
        assertTrue(targets.get(0).path("passed").asBoolean(), "4K at 4 clients: " + targets.get(0));
        assertTrue(targets.get(1).path("passed").isNull(), "1080p was not run: " + targets.get(1));
        assertEquals(false, targets.get(2).path("passed").asBoolean(true), "p99 ratio: " + targets.get(2));
        assertEquals(false, targets.get(3).path("passed").asBoolean(true), "RSS: " + targets.get(3));
        assertTrue(targets.get(4).path("passed").asBoolean(), "startup: " + targets.get(4));
        assertTrue(report.path("machine").path("nproc").asInt() > 0);

        String markdown = Files.readString(dir.resolve("report.md"));
        assertTrue(markdown.contains("| jpeg4k-c4 | sync, processes | 4k.jpg | 0.5 | 4 | 35.0 |"), markdown);
        assertTrue(markdown.contains("5.00x | **FAIL** |"), markdown);
        assertTrue(markdown.contains("## jpeg4k-c16"), markdown);
        assertTrue(markdown.contains("| p45 to p55 | 5 | 110.0 | 30.0 | 80.0 |"), markdown);
        assertTrue(markdown.contains("| p98 and above | 1 | 400.0 | 70.0 | 330.0 |"), markdown);
    }

    private static LoadResult withTiming(LoadResult r, ServerTimings.Summary timing) {
        return new LoadResult(r.scenario(), r.tags(), r.mode(), r.baseUrl(), r.input(), r.inputBytes(), r.scale(),
                r.format(), r.quality(), r.concurrency(), r.warmupRequests(), r.windowSeconds(),
                r.windowStartEpochMillis(), r.windowEndEpochMillis(), r.windowImages(), r.imagesPerSecond(),
                r.megabytesInPerSecond(), r.megabytesOutPerSecond(), r.measured(), r.succeeded(), r.errors(),
                r.latencyMillis(), r.clientCpuSeconds(), r.serverCpuSeconds(), r.serverCpuSecondsPerImage(),
                r.processes(), timing);
    }

    private static LoadResult peer(String peer, String compares, double imagesPerSecond) {
        LoadResult r = result(peer + ":" + compares, 4, imagesPerSecond, 50, 60, 100L << 20);
        return new LoadResult(r.scenario(), Map.of("peer", peer, "compares", compares), r.mode(), r.baseUrl(),
                r.input(), r.inputBytes(), r.scale(), r.format(), r.quality(), r.concurrency(), r.warmupRequests(),
                r.windowSeconds(), r.windowStartEpochMillis(), r.windowEndEpochMillis(), r.windowImages(), r.imagesPerSecond(), r.megabytesInPerSecond(),
                r.megabytesOutPerSecond(), r.measured(), r.succeeded(), r.errors(), r.latencyMillis(),
                r.clientCpuSeconds(), r.serverCpuSeconds(), r.serverCpuSecondsPerImage(), null, null);
    }

    @Test
    void thePeersSectionShowsEachRatio(@TempDir Path dir) throws Exception {
        Path scenarios = Files.createDirectories(dir.resolve("scenarios"));
        Path peers = Files.createDirectories(dir.resolve("peers"));
        LoadClient.JSON.writeValue(scenarios.resolve("01-jpeg4k-c4.json").toFile(),
                result("jpeg4k-c4", 4, 30, 110, 170, 500L << 20));
        LoadClient.JSON.writeValue(peers.resolve("01-sharp-jpeg4k-c4.json").toFile(), peer("sharp", "jpeg4k-c4", 12));

        assertEquals(0, new CommandLine(new BenchMain()).execute("report", "--dir", dir.toString()));

        JsonNode report = LoadClient.JSON.readTree(dir.resolve("report.json").toFile());
        assertEquals(2.5, report.path("peer_ratios").get(0).path("ratio").asDouble(), 1e-9);
        String markdown = Files.readString(dir.resolve("report.md"));
        assertTrue(markdown.contains("| jpeg4k-c4 | sharp | 30.0 | 12.0 | 2.50x |"), markdown);
        assertTrue(markdown.contains("## sharp:jpeg4k-c4"), markdown);
    }

    @Test
    void peerRatiosAreGraypipeOverThePeerInTheScenarioTheyCompareWith() {
        List<LoadResult> graypipe = List.of(result("jpeg4k-c1", 1, 15, 60, 70, 300L << 20),
                result("jpeg4k-c4", 4, 30, 110, 170, 500L << 20), result("jpeg1080p-c4", 4, 90, 40, 80, 400L << 20),
                result("jpeg4k-c16", 16, 30, 400, 600, 700L << 20));
        List<LoadResult> peers = List.of(peer("floor", "jpeg4k-c4", 40), peer("sharp", "jpeg4k-c4", 20),
                peer("floor", "jpeg1080p-c4", 100), peer("pillow", "jpeg320-c4", 300));

        List<TargetChecks.PeerRatio> ratios = TargetChecks.peerRatios(graypipe, peers);
        assertEquals(3, ratios.size(), "the Pillow peer compares with a scenario that was not run: " + ratios);
        assertEquals(0.75, ratios.get(0).ratio(), 1e-9);
        assertEquals(1.5, ratios.get(1).ratio(), 1e-9);
        assertEquals(0.9, ratios.get(2).ratio(), 1e-9);

        List<TargetChecks.TargetCheck> checks = TargetChecks.checkPeerTargets(graypipe, ratios);
        assertEquals(8, checks.size());
        assertEquals(false, checks.get(0).passed(), "0.75x the floor misses >= 0.85x: " + checks.get(0));
        assertEquals(false, checks.get(1).passed(), "1.5x sharp misses >= 2x: " + checks.get(1));
        assertEquals(true, checks.get(2).passed(), "1080p 0.9x the floor meets >= 0.75x: " + checks.get(2));
        assertEquals(null, checks.get(3).passed(), "320x240 was not run: " + checks.get(3));
        assertEquals(false, checks.get(4).passed(), "p99 170 ms is 2.83x the single-client p50: " + checks.get(4));
        assertEquals(false, checks.get(5).passed(), "700 MiB is not below 640 MiB: " + checks.get(5));
        assertEquals(null, checks.get(6).passed(), "WebP was not run: " + checks.get(6));
        assertEquals(null, checks.get(7).passed(), "AVIF was not run: " + checks.get(7));
    }
}
