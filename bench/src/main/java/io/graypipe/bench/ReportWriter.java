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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CLI: turns one scripts/bench run directory (scenario JSON files from {@link LoadClient}, startup timings and the
 * JDK banner) into report.json and report.md, with the machine description and the performance targets checked.
 * This class reads the directory and the machine and writes both files; {@link TargetChecks} checks the targets and
 * {@link ReportMarkdown} lays out report.md.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.md and report.json for a scripts/bench run directory.")
public final class ReportWriter implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "Run directory: scenarios/*.json, startup.tsv,"
            + " java-version.txt.")
    Path dir;

    @Option(names = "--commit", description = "git commit the run was built from.")
    String commit = "unknown";

    @Option(names = "--settings", description = "One line describing the run settings (durations, subset).")
    String settings = "";

    @Override
    public Integer call() throws IOException {
        List<LoadResult> scenarios = readScenarios(dir.resolve("scenarios"));
        List<BenchReport.Startup> startups = readStartups(dir.resolve("startup.tsv"));
        List<LoadResult> peers = readScenarios(dir.resolve("peers"));
        List<TargetChecks.PeerRatio> ratios = TargetChecks.peerRatios(scenarios, peers);
        List<TargetChecks.TargetCheck> targets = new ArrayList<>(TargetChecks.checkTargets(scenarios, startups));
        if (!peers.isEmpty()) {
            targets.addAll(TargetChecks.checkPeerTargets(scenarios, ratios));
        }
        String javaVersion = readOptional(dir.resolve("java-version.txt")).orElse(System.getProperty("java.version"));
        String environment = readOptional(dir.resolve("environment.txt")).orElse("");
        BenchReport report = new BenchReport(commit, settings, cpuModel(), memTotalBytes(), javaVersion, environment,
                scenarios, startups, targets, peers, ratios);
        LoadClient.JSON.writeValue(dir.resolve("report.json").toFile(), json(report));
        Files.writeString(dir.resolve("report.md"), ReportMarkdown.of(report));
        System.out.println(ReportMarkdown.targets(targets));
        return 0;
    }

    private static ObjectNode json(BenchReport run) {
        ObjectNode report = LoadClient.JSON.createObjectNode();
        report.put("generated", Instant.now().toString());
        report.put("commit", run.commit());
        report.put("settings", run.settings());
        ObjectNode machine = report.putObject("machine");
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        machine.put("cpu_model", run.cpuModel());
        machine.put("memory_bytes", run.memoryBytes());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.put("java_version", run.javaVersion());
        report.put("environment", run.environment());
        report.set("startup", LoadClient.JSON.valueToTree(run.startups()));
        report.set("targets", LoadClient.JSON.valueToTree(run.targets()));
        ArrayNode scenarioNodes = report.putArray("scenarios");
        run.scenarios().forEach(s -> scenarioNodes.add(LoadClient.JSON.valueToTree(s)));
        report.set("peer_ratios", LoadClient.JSON.valueToTree(run.ratios()));
        ArrayNode peerNodes = report.putArray("peers");
        run.peers().forEach(p -> peerNodes.add(LoadClient.JSON.valueToTree(p)));
        return report;
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
    static List<BenchReport.Startup> readStartups(Path file) throws IOException {
        List<BenchReport.Startup> startups = new ArrayList<>();
        if (!Files.exists(file)) {
            return startups;
        }
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split("\t");
            if (fields.length < 4 || line.isBlank()) {
                continue;
            }
            startups.add(new BenchReport.Startup(fields[0], fields[1], Double.parseDouble(fields[2]),
                    fields[3].equals("-") ? null : Double.parseDouble(fields[3])));
        }
        return startups;
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
