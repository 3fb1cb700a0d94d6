package io.graypipe.bench;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The options of every command that measures a {@link LoadResult}: its name and tags, and where it goes. */
final class ResultOptions {
    @Option(names = "--name", description = "Scenario name recorded in the JSON result.")
    String scenario = "load";

    @Option(names = "--tag", description = "key=value label recorded in the JSON result (repeatable).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--json", description = "Write the result as JSON to this file.")
    Path jsonOutput;

    /** Prints the summary line, and writes the JSON when {@code --json} was given. */
    void report(LoadResult result) throws IOException {
        System.out.println(summaryLine(result));
        if (jsonOutput != null) {
            LoadClient.JSON.writeValue(jsonOutput.toFile(), result);
        }
    }

    /** One line for the terminal: throughput, latency quantiles, successes and errors, server CPU and memory. */
    static String summaryLine(LoadResult r) {
        LatencySamples.Summary l = r.latencyMillis();
        String cpu = r.serverCpuSecondsPerImage() == null ? "" : String.format(Locale.ROOT,
                "  cpu %.3f s/img", r.serverCpuSecondsPerImage());
        String rss = r.processes() == null ? "" : String.format(Locale.ROOT,
                "  peak rss %.0f MiB", r.processes().peakTotalRssBytes() / 1048576.0);
        return String.format(Locale.ROOT,
                "%s: c=%d %.1f img/s %.1f MB/s in  p50 %.1f p95 %.1f p99 %.1f max %.1f ms  ok %d/%d errors %s%s",
                r.scenario(), r.concurrency(), r.imagesPerSecond(), r.megabytesInPerSecond(), l.p50(), l.p95(),
                l.p99(), l.max(), r.succeeded(), r.measured(), r.errors(), cpu + rss);
    }
}
