package io.graypipe.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CLI: turns the Flight Recorder files of one {@code scripts/bench --profile} scenario into a Markdown summary:
 * for each tier, where each millisecond of CPU per image goes, method by method, and what it allocates per request.
 *
 * <p>Milliseconds come from two measurements: the tier's CPU seconds per image over the load client's steady window
 * (from /proc, in the scenario's JSON), split by the tier's share of execution samples in that same window (warm-up
 * and start-up left out, {@link JfrProfile.Window}). The split is an estimate; the total is measured.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Summarise the .jfr files of one scripts/bench --profile scenario.")
final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--jfr-dir", required = true, description = "Directory holding the scenario's .jfr files.")
    Path jfrDir;

    @Option(names = "--scenario", required = true, description = "The scenario's JSON from the load client.")
    Path scenarioJson;

    @Option(names = "--out", required = true, description = "Markdown file to write.")
    Path out;

    @Option(names = "--top", description = "Rows per table (default: ${DEFAULT-VALUE}).")
    int top = 12;

    @Override
    public Integer call() throws IOException {
        LoadResult scenario = LoadClient.JSON.readValue(scenarioJson.toFile(), LoadResult.class);
        Map<JfrProfile.Tier, JfrProfile> tiers = readTiers(jfrDir, JfrProfile.Window.of(scenario));
        Files.writeString(out, markdown(scenario, tiers), StandardCharsets.UTF_8);
        return 0;
    }

    static Map<JfrProfile.Tier, JfrProfile> readTiers(Path dir, JfrProfile.Window window) throws IOException {
        Map<JfrProfile.Tier, JfrProfile> tiers = new EnumMap<>(JfrProfile.Tier.class);
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.toString().endsWith(".jfr")).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            JfrProfile profile = JfrProfile.read(file, window);
            JfrProfile same = tiers.putIfAbsent(profile.tier(), profile);
            if (same != null) {
                same.merge(profile);
            }
        }
        return tiers;
    }

    String markdown(LoadResult scenario, Map<JfrProfile.Tier, JfrProfile> tiers) {
        StringBuilder md = new StringBuilder();
        boolean windowed = JfrProfile.Window.of(scenario) != JfrProfile.Window.ALL;
        // Allocation is per request of what was counted: the window's images, or every request of an old run's
        // whole recording (warm-up, measured and the start-up image).
        long requests = windowed ? Math.max(1, scenario.windowImages())
                : scenario.warmupRequests() + scenario.measured() + 1;
        md.append("## Profile: ").append(scenario.scenario()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d images in the steady window (%.1f s). ms/image: the tier's CPU per "
                        + "image in the window, split by its share of samples %s; KB/request: sampled allocation "
                        + "over %d requests.%n%n",
                scenario.windowImages(), scenario.windowSeconds(),
                windowed ? "in the same window (start-up and warm-up left out)"
                        : "over the whole recording (this run did not record its window)", requests));
        md.append("| tier | recordings | CPU ms/image | samples | allocated KB/request |\n|---|---|---|---|---|\n");
        for (JfrProfile profile : tiers.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %.0f |%n", profile.tier().label(),
                    profile.recordings(), millis(cpuMillisPerImage(scenario, profile.tier())), profile.samples(),
                    profile.allocatedBytes() / 1024.0 / requests));
        }
        for (JfrProfile profile : tiers.values()) {
            Double tierMillis = cpuMillisPerImage(scenario, profile.tier());
            md.append("\n### ").append(profile.tier().label()).append(": ").append(millis(tierMillis))
                    .append(" ms of CPU per image\n\n");
            md.append("| thread group | share of thread CPU | ms/image |\n|---|---|---|\n");
            for (Map.Entry<String, Double> group : profile.threadShares().subList(0,
                    Math.min(top, profile.threadShares().size()))) {
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f %% | %s |%n", group.getKey(), 100 * group.getValue(),
                        tierMillis == null ? "-" : millis(tierMillis * group.getValue())));
            }
            table(md, "innermost graypipe frame", profile.topGraypipe(top), profile.samples(), tierMillis);
            table(md, "top of stack", profile.topSelf(top), profile.samples(), tierMillis);
            md.append("\n| allocated by (innermost graypipe frame) | KB/request |\n|---|---|\n");
            for (JfrProfile.Share share : profile.topAllocators(top)) {
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f |%n", share.method(),
                        share.weight() / 1024.0 / requests));
            }
        }
        return md.toString();
    }

    private static void table(StringBuilder md, String view, List<JfrProfile.Share> shares, long samples,
                              Double tierMillis) {
        md.append("\n| ").append(view).append(" | share of samples | ms/image |\n|---|---|---|\n");
        for (JfrProfile.Share share : shares) {
            double fraction = samples == 0 ? 0 : (double) share.weight() / samples;
            md.append(String.format(Locale.ROOT, "| `%s` | %.1f %% | %s |%n", share.method(), 100 * fraction,
                    tierMillis == null ? "-" : millis(tierMillis * fraction)));
        }
    }

    /** The tier's CPU per image in the load client's window, from /proc; null when the run had no process data. */
    static Double cpuMillisPerImage(LoadResult scenario, JfrProfile.Tier tier) {
        if (scenario.processes() == null || scenario.windowImages() == 0) {
            return null;
        }
        double seconds = scenario.processes().processes().stream()
                .filter(process -> JfrProfile.Tier.of(process.command()) == tier)
                .mapToDouble(ProcessSampler.ProcessStats::cpuSeconds)
                .sum();
        return 1000 * seconds / scenario.windowImages();
    }

    private static String millis(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }
}
