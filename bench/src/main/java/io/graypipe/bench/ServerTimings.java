package io.graypipe.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code Server-Timing} headers of one client thread's measured answers, each with the answer's latency. Kept as
 * the header text during the run and parsed only in {@link #summarize}, after it, so the client spends nothing on
 * them while it shares the CPUs with the server it measures.
 */
final class ServerTimings {
    /** The middle of the latencies whose stages {@link Summary#aroundMedian} averages: from p45 to p55. */
    private static final double MEDIAN_BAND_LOW = 45;
    private static final double MEDIAN_BAND_HIGH = 55;
    /** The slowest answers, whose stages {@link Summary#tail} averages: p98 and above. */
    private static final double TAIL_BAND_LOW = 98;

    private final List<String> headers = new ArrayList<>();
    private long[] latencies = new long[1024];

    /** Records a measured answer's header (ignored when null: the answer had none) and its latency. */
    void add(long latencyNanos, String header) {
        if (header == null) {
            return;
        }
        if (headers.size() == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[headers.size()] = latencyNanos;
        headers.add(header);
    }

    /** One stage over every measured answer that carried the header (0 where an answer did not go through it). */
    record Stage(double mean, double p50) {
    }

    /**
     * Where the time of the answers in one band of latency went: how many answers, their mean latency, each stage's
     * mean over them, and what is left (the client, the network and HTTP), so that the stages and the remainder add
     * up to the latency.
     */
    record Band(long requests, double latency, Map<String, Double> stages, double remainder) {
    }

    /**
     * Every stage in milliseconds, in the order the headers name them.
     *
     * @param requests     measured answers that carried a Server-Timing header
     * @param aroundMedian the answers between p45 and p55 of latency: where the median answer's time went
     * @param tail         the answers at p98 and above: where the slowest answers' time went (what makes the p99)
     */
    record Summary(long requests, Map<String, Stage> stages, Band aroundMedian, Band tail) {
    }

    /** What the threads' headers add up to, or null when no answer carried one (async mode, or not graypipe). */
    static Summary summarize(Iterable<ServerTimings> parts) {
        List<Map<String, Double>> answers = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (ServerTimings part : parts) {
            for (int i = 0; i < part.headers.size(); i++) {
                Map<String, Double> stages = parse(part.headers.get(i));
                stages.keySet().forEach(name -> names.putIfAbsent(name, true));
                answers.add(stages);
                latencies.add(part.latencies[i]);
            }
        }
        if (answers.isEmpty()) {
            return null;
        }
        int count = answers.size();
        Map<String, Stage> stages = new LinkedHashMap<>();
        for (String name : names.keySet()) {
            long[] micros = new long[count];
            double sum = 0;
            for (int i = 0; i < count; i++) {
                double millis = answers.get(i).getOrDefault(name, 0.0);
                micros[i] = Math.round(millis * 1000);
                sum += millis;
            }
            Arrays.sort(micros);
            stages.put(name, new Stage(sum / count, LatencySamples.percentile(micros, 50) / 1000.0));
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Summary(count, stages,
                band(answers, latencies, names.keySet(), LatencySamples.percentile(sorted, MEDIAN_BAND_LOW),
                        LatencySamples.percentile(sorted, MEDIAN_BAND_HIGH)),
                band(answers, latencies, names.keySet(), LatencySamples.percentile(sorted, TAIL_BAND_LOW),
                        Long.MAX_VALUE));
    }

    /** The answers whose latency is in {@code [low, high]} nanoseconds (never empty: both ends are percentiles). */
    private static Band band(List<Map<String, Double>> answers, List<Long> latencies, Iterable<String> names,
                             long low, long high) {
        Map<String, Double> sums = new LinkedHashMap<>();
        names.forEach(name -> sums.put(name, 0.0));
        double latencySum = 0;
        int inBand = 0;
        for (int i = 0; i < answers.size(); i++) {
            long latency = latencies.get(i);
            if (latency < low || latency > high) {
                continue;
            }
            inBand++;
            latencySum += latency / 1e6;
            answers.get(i).forEach((name, millis) -> sums.merge(name, millis, Double::sum));
        }
        double latency = latencySum / inBand;
        double stagesTotal = 0;
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, Double> stage : sums.entrySet()) {
            double mean = stage.getValue() / inBand;
            means.put(stage.getKey(), mean);
            stagesTotal += mean;
        }
        return new Band(inBand, latency, means, latency - stagesTotal);
    }

    /** {@code name;desc=…;dur=1.234, …} as each name's duration in milliseconds (0 for a metric without one). */
    static Map<String, Double> parse(String header) {
        Map<String, Double> stages = new LinkedHashMap<>();
        for (String metric : header.split(",")) {
            String[] parameters = metric.split(";");
            String name = parameters[0].strip();
            if (name.isEmpty()) {
                continue;
            }
            double millis = 0;
            for (int i = 1; i < parameters.length; i++) {
                String parameter = parameters[i].strip();
                if (parameter.startsWith("dur=")) {
                    try {
                        millis = Double.parseDouble(parameter.substring(4));
                    } catch (NumberFormatException e) {
                        millis = 0; // not a number: the stage is named, its time unknown
                    }
                }
            }
            stages.merge(name, millis, Double::sum);
        }
        return stages;
    }
}
