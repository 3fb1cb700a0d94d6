package io.graypipe.bench;

import java.util.List;

/**
 * What one scripts/bench run's report holds, as {@link ReportWriter} read and checked it: written out as report.json
 * and, by {@link ReportMarkdown}, as report.md.
 *
 * @param cpuModel    the machine's CPU model name
 * @param memoryBytes the machine's total memory
 * @param javaVersion the JDK banner ({@code java -version})
 * @param environment what else was running on the machine when the run started
 * @param scenarios   graypipe's results, in the order they ran
 * @param peers       the peers' results (the floor, sharp, Pillow), empty without {@code --peers}
 */
record BenchReport(String commit, String settings, String cpuModel, long memoryBytes, String javaVersion,
                   String environment, List<LoadResult> scenarios, List<Startup> startups,
                   List<TargetChecks.TargetCheck> targets, List<LoadResult> peers,
                   List<TargetChecks.PeerRatio> ratios) {

    /** One start of the front: how long until /readyz said 200, and until the first image came back. */
    public record Startup(String scenario, String workerMode, double readyMillis, Double firstImageMillis) {
    }
}
