package io.graypipe.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The performance targets of a scripts/bench run, checked against its scenarios and, with {@code --peers}, against
 * the peers' results beside them: what each target is, its threshold, and what was measured.
 */
final class TargetChecks {
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

    private TargetChecks() {
    }

    static List<TargetCheck> checkTargets(List<LoadResult> scenarios, List<BenchReport.Startup> startups) {
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
        checks.add(peakRss(scenarios, "total peak RSS at 16 concurrent 4K uploads", "< 1 GiB", 1L << 30));
        if (startups.isEmpty()) {
            checks.add(notMeasured("startup: launch to first /readyz 200", "< 3 s"));
        } else {
            double worst = startups.stream().mapToDouble(BenchReport.Startup::readyMillis).max().orElseThrow();
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

    private static String fmt(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
