package io.graypipe.bench;

import java.util.Map;

/**
 * What one load run measured; written as JSON by {@link LoadClient} and read back by {@link ReportWriter}.
 *
 * @param tags               free-form labels from the caller, e.g. the worker mode the front was started in
 * @param imagesPerSecond    successful images per second over the steady window (while every client was busy)
 * @param megabytesInPerSecond uploaded megabytes (10^6 bytes) of successful requests per second, same window
 * @param windowStartEpochMillis when the steady window began, wall clock (for {@code scripts/bench --profile} to
 *                           count only the recordings' events inside it); null in a result that did not record it
 * @param windowEndEpochMillis when it ended
 * @param measured           requests issued after warm-up; all of them finished and are in the latency and errors
 * @param errors             failed measured requests by cause: an HTTP status, or e.g. {@code timeout}
 * @param clientCpuSeconds   CPU of this load client over the steady window (it shares the machine's CPUs)
 * @param serverCpuSecondsPerImage CPU of the whole graypipe process tree over the steady window, per image;
 *                           null without {@code --pid}
 * @param serverTimingMillis the measured answers' {@code Server-Timing} stages (graypipe's sync answers): each
 *                           stage's mean and p50, and where the answers around the median latency spent theirs;
 *                           null when no answer carried the header
 */
public record LoadResult(
        String scenario,
        Map<String, String> tags,
        String mode,
        String baseUrl,
        String input,
        long inputBytes,
        double scale,
        String format,
        int quality,
        int concurrency,
        long warmupRequests,
        double windowSeconds,
        Long windowStartEpochMillis,
        Long windowEndEpochMillis,
        long windowImages,
        double imagesPerSecond,
        double megabytesInPerSecond,
        double megabytesOutPerSecond,
        long measured,
        long succeeded,
        Map<String, Long> errors,
        LatencySamples.Summary latencyMillis,
        double clientCpuSeconds,
        Double serverCpuSeconds,
        Double serverCpuSecondsPerImage,
        ProcessSampler.TreeStats processes,
        ServerTimings.Summary serverTimingMillis) {
}
