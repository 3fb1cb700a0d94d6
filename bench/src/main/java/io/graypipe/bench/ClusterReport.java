package io.graypipe.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cluster soak's report: soak.md (verdict and why, the faults as they happened, the slope test of
 * {@link SoakReport} over every process) and soak.png (latency, throughput, the fault timeline, RSS, descriptors and
 * threads per process, Redis memory, data directories).
 */
final class ClusterReport {
    private static final int WINDOW_SECONDS = 10;

    private ClusterReport() {
    }

    static void write(Path dir, ClusterSoak.Result result) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("soak.md"), markdown(result, "soak.png"));
        plot(result, dir.resolve("soak.png"));
    }

    /** Why the verdict fails; empty when it passes. */
    static List<String> reasons(ClusterSoak.Result result) {
        List<String> reasons = new ArrayList<>();
        if (result.accepted() == 0) {
            reasons.add("no task was accepted");
        }
        if (!result.unaccounted().isEmpty()) {
            reasons.add(result.unaccounted().size() + " accepted tasks not done nor failed with a code: "
                    + result.unaccounted().subList(0, Math.min(10, result.unaccounted().size())));
        }
        if (result.statuses().getOrDefault(500, 0L) > 0) {
            reasons.add(result.statuses().get(500) + " answers were HTTP 500");
        }
        result.serverErrors().stream().filter(e -> e.contains(" -> 500 ")).forEach(e -> reasons.add("500: " + e));
        result.violations().stream().limit(10).forEach(v -> reasons.add("wrong answer: " + v));
        reasons.addAll(result.budgetProblems());
        result.faults().stream().filter(f -> f.error() != null)
                .forEach(f -> reasons.add("fault could not be applied or undone: " + f.fault() + ": " + f.error()));
        SoakReport.slopes(result.samples(), result.warmupMinutes(), ClusterSoak.Result.series()).stream()
                .filter(v -> !v.ok()).forEach(v -> reasons.add(String.format(Locale.ROOT,
                        "%s grows: +%.1f over the window, %.1f allowed", v.series(), v.risePerWindow(), v.allowed())));
        return reasons;
    }

    static String markdown(ClusterSoak.Result result, String plotName) {
        StringBuilder md = new StringBuilder();
        md.append("# graypipe cluster chaos soak: ").append(result.passed() ? "PASS" : "FAIL").append("\n\n");
        md.append(String.format(Locale.ROOT, "Seed %d, %.1f minutes, %d clients, warm-up %.1f minutes, %d samples "
                        + "every %d s, %d faults. Again: `scripts/soak --cluster --seed %d --minutes %s`.%n%n",
                result.seed(), result.minutes(), result.clients(), result.warmupMinutes(), result.samples().size(),
                result.sampleSeconds(), result.faults().size(), result.seed(),
                Double.toString(Math.round(result.minutes() * 10) / 10.0).replaceAll("\\.0$", "")));
        md.append("## Verdict\n\n");
        List<String> reasons = reasons(result);
        md.append(reasons.isEmpty() ? "Every check passed.\n" : "Failed:\n\n- " + String.join("\n- ", reasons) + "\n");
        md.append("\n- accepted tasks: ").append(result.accepted()).append(", outcomes: ").append(result.outcomes())
                .append('\n');
        md.append("- wrong answers (bad bytes, wrong size, different bytes for the same request, a valid upload "
                + "refused as the client's fault): ")
                .append(result.violations().size()).append('\n');
        md.append("- batch archives checked: ").append(result.archivesChecked()).append('\n');
        md.append("- HTTP statuses: ").append(result.statuses()).append('\n');
        md.append("- error answers by code: ").append(result.errorCodes()).append('\n');
        md.append("- sync answers by X-Cache: ").append(result.cache()).append('\n');
        md.append("- operations: ").append(result.operations()).append(", transport errors: ")
                .append(result.transportErrors()).append('\n');
        md.append(String.format(Locale.ROOT, "- Redis used memory at most %.1f MiB (maxmemory %d MiB); data "
                        + "directories at most %.1f and %.1f MiB (budget %d MiB)%n%n", result.max("redis used MiB"),
                ChaosCluster.REDIS_MAXMEMORY_BYTES >> 20, result.max("front-a data MiB"),
                result.max("front-b data MiB"), ClusterSoak.DATA_DIR_BUDGET_BYTES >> 20));
        if (!result.serverErrors().isEmpty()) {
            md.append("Server errors other than 503 (the first 20; 502 and 504 are HAProxy's, for a front that died "
                    + "or froze mid-request):\n\n- ").append(String.join("\n- ", result.serverErrors())).append("\n\n");
        }
        md.append("## Faults\n\n| began (s) | ended (s) | fault | target | error |\n|---|---|---|---|---|\n");
        for (ClusterSoak.FaultSpan span : result.faults().stream()
                .sorted((a, b) -> Double.compare(a.beganSeconds(), b.beganSeconds())).toList()) {
            md.append(String.format(Locale.ROOT, "| %.1f | %.1f | %s | %s | %s |%n", span.beganSeconds(),
                    span.endedSeconds(), span.fault().kind().label, span.fault().target(),
                    span.error() == null ? "" : span.error()));
        }
        md.append("\n## Slope test\n\nAs in the single-machine soak, over each process's longest life after the "
                + "warm-up (a process restarted after a kill starts a new series).\n\n");
        md.append("| series | mean | rise over the window | allowed | ok |\n|---|---|---|---|---|\n");
        for (SoakReport.SeriesVerdict v : SoakReport.slopes(result.samples(), result.warmupMinutes(),
                ClusterSoak.Result.series())) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %.1f | %s |%n", v.series(), v.mean(),
                    v.risePerWindow(), v.allowed(), v.ok() ? "yes" : "**NO**"));
        }
        md.append("\n![cluster soak](").append(plotName).append(")\n");
        return md.toString();
    }

    static void plot(ClusterSoak.Result result, Path png) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        charts.add(latency(result));
        charts.add(throughput(result));
        charts.add(faults(result));
        charts.add(perRole(result, "RSS MiB"));
        charts.add(perRole(result, "fds"));
        charts.add(perRole(result, "threads"));
        charts.add(series(result, "Redis used MiB", List.of("redis used MiB")));
        charts.add(series(result, "data and upload directories MiB", List.of("front-a data MiB",
                "front-b data MiB")));
        BitmapEncoder.saveBitmap(new ArrayList<>(charts), 2, 4, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(520).height(320).title(title).xAxisTitle("minutes")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(9f));
        return chart;
    }

    /** p50 and p99 of the requests that started in each 10 s window. */
    private static XYChart latency(ClusterSoak.Result result) {
        XYChart chart = chart("latency (ms)", "ms");
        List<Double> x = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<List<long[]>> windows = windows(result.answers());
        for (int i = 0; i < windows.size(); i++) {
            if (windows.get(i).isEmpty()) {
                continue;
            }
            long[] nanos = windows.get(i).stream().mapToLong(a -> a[1]).sorted().toArray();
            x.add(i * WINDOW_SECONDS / 60.0);
            p50.add(nanos[nanos.length / 2] / 1e6);
            p99.add(nanos[Math.min(nanos.length - 1, (int) (nanos.length * 0.99))] / 1e6);
        }
        addOrEmpty(chart, "p50", x, p50);
        addOrEmpty(chart, "p99", x, p99);
        markFaults(chart, result, p99.stream().mapToDouble(v -> v).max().orElse(1));
        return chart;
    }

    private static XYChart throughput(ClusterSoak.Result result) {
        XYChart chart = chart("answers per second", "per s");
        List<Double> x = new ArrayList<>();
        List<Double> ok = new ArrayList<>();
        List<Double> other = new ArrayList<>();
        List<List<long[]>> windows = windows(result.answers());
        for (int i = 0; i < windows.size(); i++) {
            x.add(i * WINDOW_SECONDS / 60.0);
            ok.add(windows.get(i).stream().filter(a -> a[2] < 300).count() / (double) WINDOW_SECONDS);
            other.add(windows.get(i).stream().filter(a -> a[2] >= 300).count() / (double) WINDOW_SECONDS);
        }
        addOrEmpty(chart, "2xx", x, ok);
        addOrEmpty(chart, "other statuses", x, other);
        markFaults(chart, result, ok.stream().mapToDouble(v -> v).max().orElse(1));
        return chart;
    }

    private static List<List<long[]>> windows(List<long[]> answers) {
        int count = (int) (answers.stream().mapToLong(a -> a[0]).max().orElse(0) / 1_000_000_000L / WINDOW_SECONDS) + 1;
        List<List<long[]>> windows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            windows.add(new ArrayList<>());
        }
        for (long[] answer : answers) {
            windows.get((int) (answer[0] / 1_000_000_000L / WINDOW_SECONDS)).add(answer);
        }
        return windows;
    }

    /** One bar per fault, from its beginning to its end, at the height of its kind, coloured by kind. */
    private static XYChart faults(ClusterSoak.Result result) {
        XYChart chart = chart("faults (height: kind)", "kind");
        java.util.Set<ChaosSchedule.Kind> named = java.util.EnumSet.noneOf(ChaosSchedule.Kind.class);
        int n = 0;
        for (ClusterSoak.FaultSpan span : result.faults()) {
            ChaosSchedule.Kind kind = span.fault().kind();
            double level = kind.ordinal() + 1;
            double end = Math.max(span.endedSeconds(), span.beganSeconds() + 1);
            String name = named.add(kind) ? (kind.ordinal() + 1) + " " + kind.label : "fault " + n;
            XYSeries bar = chart.addSeries(name, List.of(span.beganSeconds() / 60, end / 60), List.of(level, level));
            bar.setMarker(SeriesMarkers.CIRCLE);
            bar.setLineColor(KIND_COLOURS[kind.ordinal()]);
            bar.setMarkerColor(KIND_COLOURS[kind.ordinal()]);
            bar.setShowInLegend(name.equals((kind.ordinal() + 1) + " " + kind.label));
            n++;
        }
        if (n == 0) {
            chart.addSeries("none", List.of(0.0), List.of(0.0));
        }
        return chart;
    }

    private static final java.awt.Color[] KIND_COLOURS = {java.awt.Color.RED, java.awt.Color.ORANGE,
            java.awt.Color.PINK, java.awt.Color.MAGENTA, java.awt.Color.BLUE, java.awt.Color.GRAY,
            java.awt.Color.GREEN.darker(), java.awt.Color.BLACK};

    /** A thin gray line at each fault's beginning, on the latency and throughput charts. */
    private static void markFaults(XYChart chart, ClusterSoak.Result result, double top) {
        int n = 0;
        for (ClusterSoak.FaultSpan span : result.faults()) {
            XYSeries line = chart.addSeries("start of fault " + n++, List.of(span.beganSeconds() / 60,
                    span.beganSeconds() / 60), List.of(0.0, top));
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(KIND_COLOURS[span.fault().kind().ordinal()]);
            line.setLineWidth(0.5f);
            line.setShowInLegend(false);
        }
    }

    private static XYChart perRole(ClusterSoak.Result result, String measure) {
        return series(result, measure + " per process", ClusterSoak.ROLES.stream().map(r -> r + " " + measure).toList());
    }

    private static XYChart series(ClusterSoak.Result result, String title, List<String> names) {
        XYChart chart = chart(title, "");
        for (String name : names) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (SoakReport.Sample s : result.samples()) {
                Double v = s.values().get(name);
                if (v != null && !v.isNaN()) {
                    x.add(s.minutes());
                    y.add(v);
                }
            }
            addOrEmpty(chart, name, x, y);
        }
        return chart;
    }

    private static void addOrEmpty(XYChart chart, String name, List<Double> x, List<Double> y) {
        if (x.isEmpty()) {
            x = Arrays.asList(0.0);
            y = Arrays.asList(0.0);
        }
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
}
