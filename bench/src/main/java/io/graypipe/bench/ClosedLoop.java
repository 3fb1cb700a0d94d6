package io.graypipe.bench;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One closed loop: takes slots from the {@link LoadSchedule}, runs one image per slot, and keeps its own samples
 * and counters, merged after it has finished ({@link #result}). The HTTP clients ({@link HttpLoop}) and the
 * in-process floor ({@link FloorCommand}) share it.
 */
abstract class ClosedLoop extends Thread {
    private final LoadSchedule schedule;
    final LatencySamples latencies = new LatencySamples();
    final ServerTimings serverTimings = new ServerTimings();
    final Map<String, Long> errors = new LinkedHashMap<>();
    long succeeded;
    long windowImages;
    long windowBytesOut;
    /** Completions of requests still running when the window closed: counted in the window only if they
     *  finished inside it, which {@link LoadSchedule#inWindow} decides once the end is known. */
    private final List<long[]> pendingEnds = new ArrayList<>();

    ClosedLoop(String name, LoadSchedule schedule) {
        super(name);
        this.schedule = schedule;
    }

    /** Processes one image. */
    abstract Outcome once();

    @Override
    public void run() {
        LoadSchedule.Slot slot;
        while ((slot = schedule.next()) != LoadSchedule.Slot.STOP) {
            long start = System.nanoTime();
            Outcome outcome = once();
            long end = System.nanoTime();
            if (outcome.error == null) {
                // Any completed image counts toward steady-window throughput, warm-up ones included.
                pendingEnds.add(new long[]{end, outcome.bytesOut});
            }
            if (slot == LoadSchedule.Slot.MEASURE) {
                latencies.add(end - start);
                if (outcome.error == null) {
                    succeeded++;
                    serverTimings.add(end - start, outcome.serverTiming);
                } else {
                    errors.merge(outcome.error, 1L, Long::sum);
                }
            }
        }
        for (long[] completion : pendingEnds) {
            if (schedule.inWindow(completion[0])) {
                windowImages++;
                windowBytesOut += completion[1];
            }
        }
    }

    /**
     * Merges what the loops measured into one result. The server's CPU comes from the sampler, or is this
     * process's own when the loops did the work {@code inProcess}; otherwise it is unknown (null).
     */
    static LoadResult result(String scenario, Map<String, String> tags, String mode, String baseUrl, Path input,
                             long inputBytes, double scale, String format, int quality, LoadSchedule schedule,
                             List<? extends ClosedLoop> loops, ProcessSampler sampler, boolean inProcess) {
        double clientCpu = schedule.clientCpuSeconds();
        List<LatencySamples> latencies = new ArrayList<>();
        List<ServerTimings> serverTimings = new ArrayList<>();
        Map<String, Long> errors = new TreeMap<>();
        long succeeded = 0;
        long bytesOut = 0;
        long windowImages = 0;
        for (ClosedLoop loop : loops) {
            latencies.add(loop.latencies);
            serverTimings.add(loop.serverTimings);
            loop.errors.forEach((cause, count) -> errors.merge(cause, count, Long::sum));
            succeeded += loop.succeeded;
            bytesOut += loop.windowBytesOut;
            windowImages += loop.windowImages;
        }
        long measured = succeeded + errors.values().stream().mapToLong(Long::longValue).sum();
        double windowSeconds = schedule.windowNanos() / 1e9;
        ProcessSampler.TreeStats processes = null;
        Double serverCpu = inProcess ? clientCpu : null;
        if (sampler != null) {
            processes = sampler.stats();
            sampler.close();
            serverCpu = processes.cpuSeconds();
        }
        Double serverCpuPerImage = serverCpu != null && windowImages > 0 ? serverCpu / windowImages : null;
        return new LoadResult(scenario, tags, mode, baseUrl, input.toString(), inputBytes, scale,
                format, quality, loops.size(), schedule.warmupIssued(), windowSeconds,
                schedule.windowStartEpochMillis(), schedule.windowEndEpochMillis(), windowImages,
                windowSeconds > 0 ? windowImages / windowSeconds : 0,
                windowSeconds > 0 ? windowImages * (double) inputBytes / 1e6 / windowSeconds : 0,
                windowSeconds > 0 ? bytesOut / 1e6 / windowSeconds : 0,
                measured, succeeded, errors, LatencySamples.summarize(latencies), clientCpu, serverCpu,
                serverCpuPerImage, processes, ServerTimings.summarize(serverTimings));
    }

    /**
     * What one image came to: an error (a status or a cause), or the bytes it returned and the answer's
     * {@code Server-Timing} header (null without one).
     */
    record Outcome(String error, long bytesOut, String serverTiming) {
        static Outcome ok(long bytesOut) {
            return new Outcome(null, bytesOut, null);
        }

        static Outcome ok(long bytesOut, String serverTiming) {
            return new Outcome(null, bytesOut, serverTiming);
        }

        static Outcome failed(String cause) {
            return new Outcome(cause, 0, null);
        }

        /** Timeouts by name; other I/O failures by class and message, since "IOException" alone tells nothing
         *  (the JDK client says e.g. "HTTP/1.1 header parser received no bytes" for a closed connection). */
        static Outcome failed(IOException e) {
            if (e instanceof HttpTimeoutException) {
                return failed("timeout");
            }
            String message = e.getMessage() == null ? "" : ": " + e.getMessage();
            String cause = e.getClass().getSimpleName() + message;
            return failed(cause.length() <= 80 ? cause : cause.substring(0, 80));
        }
    }
}
