package io.graypipe.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** report.md of a scripts/bench run: the machine, the targets, startup, a summary table, peers, then each scenario. */
final class ReportMarkdown {
    private ReportMarkdown() {
    }

    static String of(BenchReport report) {
        StringBuilder md = new StringBuilder();
        header(md, report);
        md.append("## Targets\n\n").append(targets(report.targets())).append('\n');
        startup(md, report.startups());
        summary(md, report.scenarios());
        if (!report.peers().isEmpty()) {
            peers(md, report.ratios());
        }
        for (LoadResult r : concat(report.scenarios(), report.peers())) {
            scenario(md, r);
        }
        return md.toString();
    }

    private static void header(StringBuilder md, BenchReport report) {
        md.append("# graypipe benchmark report\n\n");
        md.append("- generated: ").append(Instant.now()).append('\n');
        md.append("- commit: `").append(report.commit()).append("`\n");
        md.append("- settings: ").append(report.settings()).append('\n');
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(report.cpuModel()).append(", ")
                .append(fmt("%.1f GiB", report.memoryBytes() / (double) (1L << 30))).append(" memory\n");
        md.append("- JDK:\n\n```\n").append(report.javaVersion()).append("\n```\n\n");
        md.append("The load client runs on the same machine and competes with graypipe for its CPUs;"
                + " its own CPU time is listed per scenario.\n\n");
        if (!report.environment().isBlank()) {
            md.append("Other activity on the machine when the run started (it competes for the same CPUs):\n\n```\n")
                    .append(report.environment()).append("\n```\n\n");
        }
    }

    private static void startup(StringBuilder md, List<BenchReport.Startup> startups) {
        md.append("## Startup\n\nTime from launching `java -jar graypipe.jar` to the first 200 from `/readyz`,"
                + " and to the first scaled image from `/process`.\n\n");
        md.append("| before scenario | worker mode | ready (ms) | first image (ms) |\n|---|---|---:|---:|\n");
        for (BenchReport.Startup s : startups) {
            md.append(fmt("| %s | %s | %.0f | %s |%n", s.scenario(), s.workerMode(), s.readyMillis(),
                    s.firstImageMillis() == null ? "-" : fmt("%.0f", s.firstImageMillis())));
        }
    }

    private static void summary(StringBuilder md, List<LoadResult> scenarios) {
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
    }

    private static void peers(StringBuilder md, List<TargetChecks.PeerRatio> ratios) {
        md.append("\n## Peers\n\nThe same inputs right after graypipe: the in-process TurboJPEG floor (one process,"
                + " one loop per core, no HTTP), and the sharp and aiohttp + Pillow servers in bench/peers driven by"
                + " the same load client. Ratio = graypipe's img/s ÷ the peer's; above 1, graypipe is faster.\n\n");
        md.append("| scenario | peer | graypipe img/s | peer img/s | graypipe ÷ peer | graypipe p50 ms | peer p50 ms"
                + " | peer CPU s/img |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (TargetChecks.PeerRatio r : ratios) {
            md.append(fmt("| %s | %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %s |%n", r.scenario(), r.peer(),
                    r.graypipeImagesPerSecond(), r.peerImagesPerSecond(), r.ratio(), r.graypipeP50(), r.peerP50(),
                    r.peerCpuSecondsPerImage() == null ? "-" : fmt("%.3f", r.peerCpuSecondsPerImage())));
        }
    }

    private static void scenario(StringBuilder md, LoadResult r) {
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
        serverTiming(md, r.serverTimingMillis());
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

    /**
     * Where the median answers and the slowest ones spent their time, stage by stage, from graypipe's
     * {@code Server-Timing} headers: what a p99 is made of (docs/performance.md, p99 ÷ p50).
     */
    private static void serverTiming(StringBuilder md, ServerTimings.Summary timing) {
        if (timing == null) {
            return;
        }
        List<String> names = List.copyOf(timing.stages().keySet());
        md.append("\n| Server-Timing, mean ms | answers | latency | ").append(String.join(" | ", names))
                .append(" | rest |\n|---|").append("---:|".repeat(names.size() + 3)).append('\n');
        band(md, "p45 to p55", timing.aroundMedian(), names);
        band(md, "p98 and above", timing.tail(), names);
    }

    private static void band(StringBuilder md, String label, ServerTimings.Band band, List<String> names) {
        md.append(fmt("| %s | %d | %.1f |", label, band.requests(), band.latency()));
        for (String name : names) {
            md.append(fmt(" %.1f |", band.stages().getOrDefault(name, 0.0)));
        }
        md.append(fmt(" %.1f |%n", band.remainder()));
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

    static String targets(List<TargetChecks.TargetCheck> targets) {
        StringBuilder md = new StringBuilder("| target | threshold | measured | result |\n|---|---|---|---|\n");
        for (TargetChecks.TargetCheck t : targets) {
            md.append("| ").append(t.target()).append(" | ").append(t.threshold()).append(" | ")
                    .append(t.measured()).append(" | ")
                    .append(t.passed() == null ? "not run" : t.passed() ? "PASS" : "**FAIL**").append(" |\n");
        }
        return md.toString();
    }

    private static String fmt(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
