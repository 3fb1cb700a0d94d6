package io.graypipe.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak's verdict and report. The slope test: for each series, the least-squares line through the samples
 * after the warm-up may rise over that window by at most {@link #RELATIVE_SLACK} of the series' post-warm-up mean
 * plus the series' absolute slack ({@link #absoluteSlack}); NaN samples (a process being restarted) are skipped.
 */
final class SoakReport {
    static final double RELATIVE_SLACK = 0.10;

    record Sample(double minutes, Map<String, Double> values) {
    }

    record SeriesVerdict(String series, double mean, double risePerWindow, double allowed, boolean ok) {
    }

    private SoakReport() {
    }

    /**
     * Per series: RSS 32 MiB (it also moves with the allocator's and Netty's pools, which settle later than the
     * heap), heap 16 MiB, descriptors 16, threads and files 8; data 16 MiB, because the data directory holds the
     * results of the last TTL plus sweep period, so it follows the throughput, which drifts on a shared machine
     * (a directory that is never swept grows by the whole throughput instead).
     */
    static double absoluteSlack(String series) {
        if (series.contains("MiB")) {
            return series.contains("RSS") ? 32 : 16;
        }
        if (series.contains("fds")) {
            return 16;
        }
        return 8;
    }

    static List<SeriesVerdict> slopes(List<Sample> samples, double warmupMinutes) {
        return slopes(samples, warmupMinutes, SoakSampler.seriesNames());
    }

    /**
     * The slope test of each of {@code seriesNames}. Where the samples carry the pid of the series' role
     * ("front-a pid" for "front-a RSS MiB"), only the samples of its longest-lived process after the warm-up count:
     * a process restarted after a kill starts a new life, whose warm-up is not a leak.
     */
    static List<SeriesVerdict> slopes(List<Sample> samples, double warmupMinutes, List<String> seriesNames) {
        List<SeriesVerdict> verdicts = new ArrayList<>();
        for (String series : seriesNames) {
            String pidSeries = series.substring(0, series.indexOf(' ')) + " pid";
            Double pid = longestLived(samples, warmupMinutes, pidSeries);
            List<double[]> points = new ArrayList<>();
            for (Sample s : samples) {
                Double v = s.values().get(series);
                boolean sameLife = pid == null || pid.equals(s.values().get(pidSeries));
                if (s.minutes() >= warmupMinutes && v != null && !v.isNaN() && sameLife) {
                    points.add(new double[]{s.minutes(), v});
                }
            }
            if (points.size() < 3) {
                verdicts.add(new SeriesVerdict(series, Double.NaN, Double.NaN, Double.NaN, true));
                continue;
            }
            double n = points.size();
            double mx = points.stream().mapToDouble(p -> p[0]).sum() / n;
            double my = points.stream().mapToDouble(p -> p[1]).sum() / n;
            double sxy = 0;
            double sxx = 0;
            for (double[] p : points) {
                sxy += (p[0] - mx) * (p[1] - my);
                sxx += (p[0] - mx) * (p[0] - mx);
            }
            double slope = sxx == 0 ? 0 : sxy / sxx;
            double window = points.get(points.size() - 1)[0] - points.get(0)[0];
            double rise = slope * window;
            double allowed = RELATIVE_SLACK * Math.abs(my) + absoluteSlack(series);
            verdicts.add(new SeriesVerdict(series, my, rise, allowed, rise <= allowed));
        }
        return verdicts;
    }

    private static Double longestLived(List<Sample> samples, double warmupMinutes, String pidSeries) {
        Map<Double, Integer> counts = new java.util.HashMap<>();
        for (Sample s : samples) {
            Double pid = s.values().get(pidSeries);
            if (s.minutes() >= warmupMinutes && pid != null) {
                counts.merge(pid, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    static void plot(List<Sample> samples, double warmupMinutes, Path png) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (String series : SoakSampler.seriesNames()) {
            XYChart chart = new XYChartBuilder().width(420).height(260).title(series).xAxisTitle("minutes").build();
            chart.getStyler().setLegendVisible(false);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Sample s : samples) {
                Double v = s.values().get(series);
                if (v != null && !v.isNaN()) {
                    x.add(s.minutes());
                    y.add(v);
                }
            }
            if (x.isEmpty()) {
                x.add(0.0);
                y.add(0.0);
            }
            chart.addSeries(series, x, y).setMarker(SeriesMarkers.CIRCLE);
            chart.addSeries("warm-up end", List.of(warmupMinutes, warmupMinutes),
                    List.of(y.stream().mapToDouble(d -> d).min().orElse(0), y.stream().mapToDouble(d -> d).max()
                            .orElse(1))).setMarker(SeriesMarkers.NONE);
            charts.add(chart);
        }
        int columns = 4;
        while (charts.size() % columns != 0) {
            // XChart's grid must be full; the spare cells get an empty chart.
            XYChart spare = new XYChartBuilder().width(420).height(260).title("").build();
            spare.getStyler().setLegendVisible(false);
            spare.addSeries(" ", List.of(0.0), List.of(0.0)).setMarker(SeriesMarkers.NONE);
            charts.add(spare);
        }
        BitmapEncoder.saveBitmap(new ArrayList<>(charts), (charts.size() + columns - 1) / columns, columns,
                png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static String markdown(SoakCommand.Result result, List<SeriesVerdict> slopes, String plotName) {
        StringBuilder md = new StringBuilder();
        md.append("# graypipe soak: ").append(result.passed() ? "PASS" : "FAIL").append("\n\n");
        md.append(String.format(Locale.ROOT, "%.1f minutes, warm-up %.1f minutes, %d samples every %d s; "
                        + "kill -9 of a child every %d s (%d done), of the worker every %d s (%d done).%n%n",
                result.minutes(), result.warmupMinutes(), result.samples().size(), result.sampleSeconds(),
                result.childKillSeconds(), result.childKills(), result.workerKillSeconds(), result.workerKills()));
        md.append("## Verdict\n\n");
        md.append("- accepted tasks accounted for (done, or failed with a code): ").append(result.accounted())
                .append(" of ").append(result.accepted()).append(result.unaccounted().isEmpty() ? ""
                        : " — NOT accounted for: " + result.unaccounted()).append('\n');
        md.append("- HTTP 500 answers: ").append(result.statuses().getOrDefault(500, 0L)).append('\n');
        md.append("- task outcomes: ").append(result.outcomes()).append('\n');
        md.append("- HTTP statuses: ").append(result.statuses()).append('\n');
        md.append("- operations: ").append(result.operations()).append(", transport errors: ")
                .append(result.transportErrors()).append("\n\n");
        md.append("## Slope test\n\nLeast-squares line over the post-warm-up samples; its rise over that window must "
                + "be at most 10% of the series' post-warm-up mean plus an absolute slack (RSS 32 MiB, heap and data "
                + "16 MiB, fds 16, threads and files 8).\n\n");
        md.append("| series | post-warm-up mean | rise over the window | allowed | ok |\n|---|---|---|---|---|\n");
        for (SeriesVerdict v : slopes) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %.1f | %s |%n", v.series(), v.mean(),
                    v.risePerWindow(), v.allowed(), v.ok() ? "yes" : "**NO**"));
        }
        md.append("\n![series](").append(plotName).append(")\n");
        return md.toString();
    }

    static void write(Path dir, SoakCommand.Result result) throws IOException {
        Files.createDirectories(dir);
        List<SeriesVerdict> slopes = slopes(result.samples(), result.warmupMinutes());
        Files.writeString(dir.resolve("soak.md"), markdown(result, slopes, "soak.png"));
        plot(result.samples(), result.warmupMinutes(), dir.resolve("soak.png"));
    }

    static Map<String, Boolean> slopeOk(SoakCommand.Result result) {
        Map<String, Boolean> ok = new LinkedHashMap<>();
        for (SeriesVerdict v : slopes(result.samples(), result.warmupMinutes())) {
            ok.put(v.series(), v.ok());
        }
        return ok;
    }
}
