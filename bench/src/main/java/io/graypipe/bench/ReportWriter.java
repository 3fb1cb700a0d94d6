package io.graypipe.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CLI: turns one scripts/bench run directory (scenario JSON files from {@link LoadClient}, startup timings and the
 * JDK banner) into report.json and report.md, with the machine description and the performance targets checked.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.md and report.json for a scripts/bench run directory.")
public final class ReportWriter implements Callable<Integer> {
    static final long GIB = 1L << 30;

    /** The scenario names scripts/bench uses; the targets are defined over them. */
    static final String SINGLE_4K = "jpeg4k-c1";
    static final String FOUR_4K = "jpeg4k-c4";
    static final String SIXTEEN_4K = "jpeg4k-c16";
    static final String FOUR_1080P = "jpeg1080p-c4";
    static final String FOUR_320 = "jpeg320-c4";
    static final String WEBP_1080P = "webp1080p-c4";
    static final String AVIF_1080P = "avif1080p-c4";
    /** The peers of {@code scripts/bench --peers}, as their results' {@code peer} tag names them. */
    static final String FLOOR = "floor";
    static final String SHARP = "sharp";
    static final String PILLOW = "pillow";

    @Option(names = "--dir", required = true, description = "Run directory: scenarios/*.json, startup.tsv,"
            + " java-version.txt.")
    Path dir;

    @Option(names = "--commit", description = "git commit the run was built from.")
    String commit = "unknown";

    @Option(names = "--settings", description = "One line describing the run settings (durations, subset).")
    String settings = "";

    /** One start of the front: how long until /readyz said 200, and until the first image came back. */
    public record Startup(String scenario, String workerMode, double readyMillis, Double firstImageMillis) {
    }

    /**
     * A peer's throughput beside graypipe's in the scenario it was run against ({@code compares} tag);
     * {@code ratio} is graypipe's images/s divided by the peer's, so above 1 means graypipe is faster.
     */
    public record PeerRatio(String scenario, String peer, double graypipeImagesPerSecond, double peerImagesPerSecond,
                            double ratio, double graypipeP50, double peerP50, Double peerCpuSecondsPerImage) {
    }

    /** One target with its threshold and what was measured; {@code passed} is null when it was not measured. */
    public record TargetCheck(String target, String threshold, String measured, Boolean passed) {
    }

    @Override
    public Integer call() throws IOException {
        List<LoadResult> scenarios = readScenarios(dir.resolve("scenarios"));
        List<Startup> startups = readStartups(dir.resolve("startup.tsv"));
        List<LoadResult> peers = readScenarios(dir.resolve("peers"));
        List<PeerRatio> ratios = peerRatios(scenarios, peers);
        List<TargetCheck> targets = new ArrayList<>(checkTargets(scenarios, startups));
        if (!peers.isEmpty()) {
            targets.addAll(checkPeerTargets(scenarios, ratios));
        }
        String javaVersion = readOptional(dir.resolve("java-version.txt")).orElse(System.getProperty("java.version"));
        String environment = readOptional(dir.resolve("environment.txt")).orElse("");

        ObjectNode report = LoadClient.JSON.createObjectNode();
        report.put("generated", Instant.now().toString());
        report.put("commit", commit);
        report.put("settings", settings);
        ObjectNode machine = report.putObject("machine");
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        machine.put("cpu_model", cpuModel());
        machine.put("memory_bytes", memTotalBytes());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.put("java_version", javaVersion);
        report.put("environment", environment);
        report.set("startup", LoadClient.JSON.valueToTree(startups));
        report.set("targets", LoadClient.JSON.valueToTree(targets));
        ArrayNode scenarioNodes = report.putArray("scenarios");
        scenarios.forEach(s -> scenarioNodes.add(LoadClient.JSON.valueToTree(s)));
        report.set("peer_ratios", LoadClient.JSON.valueToTree(ratios));
        ArrayNode peerNodes = report.putArray("peers");
        peers.forEach(p -> peerNodes.add(LoadClient.JSON.valueToTree(p)));
        LoadClient.JSON.writeValue(dir.resolve("report.json").toFile(), report);

        String markdown = markdown(machine.path("cpu_model").asText(), memTotalBytes(), javaVersion, environment,
                scenarios, startups, targets, peers, ratios);
        Files.writeString(dir.resolve("report.md"), markdown);
        System.out.println(markdownTargets(targets));
        return 0;
    }

    static List<LoadResult> readScenarios(Path scenarioDir) throws IOException {
        if (!Files.isDirectory(scenarioDir)) {
            return List.of();
        }
        List<LoadResult> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(scenarioDir)) {
            // Files are named NN-scenario.json so the listing order is the run order.
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().collect(Collectors.toList())) {
                results.add(LoadClient.JSON.readValue(file.toFile(), LoadResult.class));
            }
        }
        return results;
    }

    /** startup.tsv: scenario, worker mode, ready ms, first image ms (or "-"), tab-separated, one line a start. */
    static List<Startup> readStartups(Path file) throws IOException {
        List<Startup> startups = new ArrayList<>();
        if (!Files.exists(file)) {
            return startups;
        }
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split("\t");
            if (fields.length < 4 || line.isBlank()) {
                continue;
            }
            startups.add(new Startup(fields[0], fields[1], Double.parseDouble(fields[2]),
                    fields[3].equals("-") ? null : Double.parseDouble(fields[3])));
        }
        return startups;
    }

    static List<TargetCheck> checkTargets(List<LoadResult> scenarios, List<Startup> startups) {
        List<TargetCheck> checks = new ArrayList<>();
        Optional<LoadResult> four4k = find(scenarios, FOUR_4K);
        checks.add(four4k.map(r -> new TargetCheck("4K JPEG x0.5 throughput at 4 clients", ">= 30 img/s",
                        fmt("%.1f img/s", r.imagesPerSecond()), r.imagesPerSecond() >= 30 && r.errors().isEmpty()))
                .orElse(notMeasured("4K JPEG x0.5 throughput at 4 clients", ">= 30 img/s")));
        checks.add(find(scenarios, FOUR_1080P).map(r -> new TargetCheck("1080p JPEG x0.5 throughput at 4 clients",
                        ">= 100 img/s", fmt("%.1f img/s", r.imagesPerSecond()),
                        r.imagesPerSecond() >= 100 && r.errors().isEmpty()))
                .orElse(notMeasured("1080p JPEG x0.5 throughput at 4 clients", ">= 100 img/s")));
        checks.add(tailLatency(scenarios, "p99 at 4 clients vs single-client p50 (4K)", 4));
        checks.add(peakRss(scenarios, "total peak RSS at 16 concurrent 4K uploads", "< 1 GiB", GIB));
        if (startups.isEmpty()) {
            checks.add(notMeasured("startup: launch to first /readyz 200", "< 3 s"));
        } else {
            double worst = startups.stream().mapToDouble(Startup::readyMillis).max().orElseThrow();
            checks.add(new TargetCheck("startup: launch to first /readyz 200 (worst of " + startups.size() + ")",
                    "< 3 s", fmt("%.0f ms", worst), worst < 3000));
        }
        return checks;
    }

    /** Every peer result beside the graypipe scenario its {@code compares} tag names, when that one was run. */
    static List<PeerRatio> peerRatios(List<LoadResult> scenarios, List<LoadResult> peers) {
        List<PeerRatio> ratios = new ArrayList<>();
        for (LoadResult peer : peers) {
            String compares = peer.tags() == null ? null : peer.tags().get("compares");
            Optional<LoadResult> graypipe = compares == null ? Optional.empty() : find(scenarios, compares);
            if (graypipe.isEmpty() || peer.imagesPerSecond() <= 0) {
                continue;
            }
            LoadResult g = graypipe.get();
            ratios.add(new PeerRatio(compares, peer.tags().get("peer"), g.imagesPerSecond(), peer.imagesPerSecond(),
                    g.imagesPerSecond() / peer.imagesPerSecond(), g.latencyMillis().p50(), peer.latencyMillis().p50(),
                    peer.serverCpuSecondsPerImage()));
        }
        return ratios;
    }

    /** The targets of issue 14, stated as ratios because the shared machine's speed drifts. */
    static List<TargetCheck> checkPeerTargets(List<LoadResult> scenarios, List<PeerRatio> ratios) {
        List<TargetCheck> checks = new ArrayList<>();
        // Issue 23's targets.
        checks.add(ratioCheck(ratios, FOUR_4K, FLOOR, 0.85, "4K JPEG x0.5 at 4 clients vs the in-process TurboJPEG floor"));
        checks.add(ratioCheck(ratios, FOUR_4K, SHARP, 2.0, "4K JPEG x0.5 at 4 clients vs sharp"));
        checks.add(ratioCheck(ratios, FOUR_1080P, FLOOR, 0.75, "1080p JPEG x0.5 at 4 clients vs the TurboJPEG floor"));
        checks.add(ratioCheck(ratios, FOUR_320, PILLOW, 2.0, "320x240 JPEG x0.5 at 4 clients vs aiohttp + Pillow"));
        checks.add(tailLatency(scenarios, "p99 at 4 clients vs single-client p50 (4K), issue 23", 2.5));
        checks.add(peakRss(scenarios, "total peak RSS at 16 concurrent 4K uploads, issue 23", "< 640 MiB",
                640L << 20));
        checks.add(ratioCheck(ratios, WEBP_1080P, SHARP, 1.5, "1080p JPEG -> WebP x0.5 at 4 clients vs sharp webp()"));
        checks.add(ratioCheck(ratios, AVIF_1080P, SHARP, 1.2, "1080p JPEG -> AVIF x0.5 at 4 clients vs sharp avif()"));
        return checks;
    }

    /** p99 at 4 clients within {@code times} the single-client p50, both 4K. */
    private static TargetCheck tailLatency(List<LoadResult> scenarios, String target, double times) {
        Optional<LoadResult> four4k = find(scenarios, FOUR_4K);
        Optional<LoadResult> single = find(scenarios, SINGLE_4K);
        if (four4k.isEmpty() || single.isEmpty()) {
            return notMeasured(target, "<= " + times + "x");
        }
        double p99 = four4k.get().latencyMillis().p99();
        double p50 = single.get().latencyMillis().p50();
        return new TargetCheck(target, "<= " + times + "x", fmt("%.1f ms vs %.1f ms = %.2fx", p99, p50, p99 / p50),
                p99 <= times * p50);
    }

    private static TargetCheck peakRss(List<LoadResult> scenarios, String target, String threshold, long below) {
        return find(scenarios, SIXTEEN_4K).filter(r -> r.processes() != null)
                .map(r -> new TargetCheck(target, threshold,
                        fmt("%.0f MiB", r.processes().peakTotalRssBytes() / 1048576.0),
                        r.processes().peakTotalRssBytes() < below))
                .orElse(notMeasured(target, threshold));
    }

    private static TargetCheck ratioCheck(List<PeerRatio> ratios, String scenario, String peer, double atLeast,
                                          String target) {
        String threshold = fmt(">= %sx", atLeast);
        return ratios.stream().filter(r -> r.scenario().equals(scenario) && peer.equals(r.peer())).findFirst()
                .map(r -> new TargetCheck(target, threshold, fmt("%.1f vs %.1f img/s = %.2fx",
                        r.graypipeImagesPerSecond(), r.peerImagesPerSecond(), r.ratio()), r.ratio() >= atLeast))
                .orElse(notMeasured(target, threshold));
    }

    private static TargetCheck notMeasured(String target, String threshold) {
        return new TargetCheck(target, threshold, "not run", null);
    }

    private static Optional<LoadResult> find(List<LoadResult> scenarios, String name) {
        return scenarios.stream().filter(s -> s.scenario().equals(name)).findFirst();
    }

    String markdown(String cpuModelText, long memoryBytes, String javaVersion, String environment,
                    List<LoadResult> scenarios, List<Startup> startups, List<TargetCheck> targets,
                    List<LoadResult> peers, List<PeerRatio> ratios) {
        StringBuilder md = new StringBuilder();
        md.append("# graypipe benchmark report\n\n");
        md.append("- generated: ").append(Instant.now()).append('\n');
        md.append("- commit: `").append(commit).append("`\n");
        md.append("- settings: ").append(settings).append('\n');
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(cpuModelText).append(", ").append(fmt("%.1f GiB", memoryBytes / (double) GIB))
                .append(" memory\n");
        md.append("- JDK:\n\n```\n").append(javaVersion).append("\n```\n\n");
        md.append("The load client runs on the same machine and competes with graypipe for its CPUs;"
                + " its own CPU time is listed per scenario.\n\n");
        if (!environment.isBlank()) {
            md.append("Other activity on the machine when the run started (it competes for the same CPUs):\n\n```\n")
                    .append(environment).append("\n```\n\n");
        }

        md.append("## Targets\n\n").append(markdownTargets(targets)).append('\n');

        md.append("## Startup\n\nTime from launching `java -jar graypipe.jar` to the first 200 from `/readyz`,"
                + " and to the first scaled image from `/process`.\n\n");
        md.append("| before scenario | worker mode | ready (ms) | first image (ms) |\n|---|---|---:|---:|\n");
        for (Startup s : startups) {
            md.append(fmt("| %s | %s | %.0f | %s |%n", s.scenario(), s.workerMode(), s.readyMillis(),
                    s.firstImageMillis() == null ? "-" : fmt("%.0f", s.firstImageMillis())));
        }

        md.append("\n## Summary\n\n");
        md.append("| scenario | mode | input | scale | clients | img/s | MB/s in | p50 ms | p95 ms | p99 ms | max ms"
                + " | errors | CPU s/img | peak total RSS |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (LoadResult r : scenarios) {
            LatencySamples.Summary l = r.latencyMillis();
            md.append(fmt("| %s | %s | %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |%n",
                    r.scenario(), modeLabel(r), Path.of(r.input()).getFileName(), r.scale(), r.concurrency(),
                    r.imagesPerSecond(), r.megabytesInPerSecond(), l.p50(), l.p95(), l.p99(), l.max(),
                    errorsText(r), r.serverCpuSecondsPerImage() == null ? "-"
                            : fmt("%.3f", r.serverCpuSecondsPerImage()),
                    r.processes() == null ? "-" : mib(r.processes().peakTotalRssBytes())));
        }

        if (!peers.isEmpty()) {
            md.append("\n## Peers\n\nThe same inputs right after graypipe: the in-process TurboJPEG floor (one process,"
                    + " one loop per core, no HTTP), and the sharp and aiohttp + Pillow servers in bench/peers driven by"
                    + " the same load client. Ratio = graypipe's img/s ÷ the peer's; above 1, graypipe is faster.\n\n");
            md.append("| scenario | peer | graypipe img/s | peer img/s | graypipe ÷ peer | graypipe p50 ms | peer p50 ms"
                    + " | peer CPU s/img |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (PeerRatio r : ratios) {
                md.append(fmt("| %s | %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %s |%n", r.scenario(), r.peer(),
                        r.graypipeImagesPerSecond(), r.peerImagesPerSecond(), r.ratio(), r.graypipeP50(), r.peerP50(),
                        r.peerCpuSecondsPerImage() == null ? "-" : fmt("%.3f", r.peerCpuSecondsPerImage())));
            }
        }

        for (LoadResult r : concat(scenarios, peers)) {
            LatencySamples.Summary l = r.latencyMillis();
            md.append("\n## ").append(r.scenario()).append("\n\n");
            md.append(fmt("%s mode, %s (%.2f MB) x%s -> %s q%d, %d clients, tags %s%n%n", r.mode(),
                    Path.of(r.input()).getFileName(), r.inputBytes() / 1e6, r.scale(), r.format(), r.quality(),
                    r.concurrency(), r.tags()));
            md.append("| metric | value |\n|---|---:|\n");
            md.append(fmt("| steady window | %.2f s, %d images |%n", r.windowSeconds(), r.windowImages()));
            md.append(fmt("| throughput | %.2f img/s |%n", r.imagesPerSecond()));
            md.append(fmt("| MB/s in / out | %.2f / %.2f |%n", r.megabytesInPerSecond(), r.megabytesOutPerSecond()));
            md.append(fmt("| measured requests (ok) | %d (%d) |%n", r.measured(), r.succeeded()));
            md.append(fmt("| latency p50 / p95 / p99 / max | %.1f / %.1f / %.1f / %.1f ms |%n", l.p50(), l.p95(),
                    l.p99(), l.max()));
            md.append(fmt("| latency min / mean | %.1f / %.1f ms |%n", l.min(), l.mean()));
            md.append("| errors by status | ").append(errorsText(r)).append(" |\n");
            if (r.serverCpuSecondsPerImage() != null) {
                md.append(fmt("| server CPU | %.2f s total, %.3f s/image |%n", r.serverCpuSeconds(),
                        r.serverCpuSecondsPerImage()));
            }
            md.append(fmt("| load client CPU (same window) | %.2f s |%n", r.clientCpuSeconds()));
            if (r.processes() != null) {
                md.append("| peak total RSS (sampled) | ").append(mib(r.processes().peakTotalRssBytes()))
                        .append(" |\n");
                md.append("| sum of per-process VmHWM | ").append(mib(r.processes().sumOfHwmBytes())).append(" |\n");
                md.append("\n| pid | depth | process | CPU s | peak RSS (window) | VmHWM (lifetime) | alive at end |\n");
                md.append("|---:|---:|---|---:|---:|---:|---|\n");
                for (ProcessSampler.ProcessStats p : r.processes().processes()) {
                    md.append(fmt("| %d | %d | `%s` | %.2f | %s | %s | %s |%n", p.pid(), p.depth(), p.command(),
                            p.cpuSeconds(), mib(p.peakRssBytes()), mib(p.hwmBytes()), p.aliveAtEnd() ? "yes" : "no"));
                }
            }
        }
        return md.toString();
    }

    private static List<LoadResult> concat(List<LoadResult> a, List<LoadResult> b) {
        List<LoadResult> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String modeLabel(LoadResult r) {
        String workerMode = r.tags() == null ? null : r.tags().get("worker_mode");
        return workerMode == null ? r.mode() : r.mode() + ", " + workerMode;
    }

    private static String errorsText(LoadResult r) {
        if (r.errors().isEmpty()) {
            return "none";
        }
        return r.errors().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String mib(long bytes) {
        return fmt("%.0f MiB", bytes / 1048576.0);
    }

    static String markdownTargets(List<TargetCheck> targets) {
        StringBuilder md = new StringBuilder("| target | threshold | measured | result |\n|---|---|---|---|\n");
        for (TargetCheck t : targets) {
            md.append("| ").append(t.target()).append(" | ").append(t.threshold()).append(" | ")
                    .append(t.measured()).append(" | ")
                    .append(t.passed() == null ? "not run" : t.passed() ? "PASS" : "**FAIL**").append(" |\n");
        }
        return md.toString();
    }

    private static String fmt(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }

    static String cpuModel() {
        return readOptional(Path.of("/proc/cpuinfo")).flatMap(text -> text.lines()
                        .filter(line -> line.startsWith("model name"))
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .findFirst())
                .orElse("unknown");
    }

    static long memTotalBytes() {
        return readOptional(Path.of("/proc/meminfo"))
                .map(text -> ProcessSampler.statusKilobytes(text, "MemTotal:") * 1024).orElse(0L);
    }

    private static Optional<String> readOptional(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
