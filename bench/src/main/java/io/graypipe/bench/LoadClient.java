package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CLI: a closed-loop HTTP load generator for graypipe. Each of {@code --concurrency} clients sends one image,
 * waits for the answer and sends the next, over its own keep-alive HTTP/1.1 connection ({@link BenchConnection}:
 * a blocking socket and a request built once, so the client takes as little as it can of the CPUs it shares with
 * the server it measures). A warm-up phase is run
 * and thrown away; the run stops by itself after {@code --duration} and/or {@code --requests}.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load a graypipe front with image uploads and measure throughput, latency, CPU and memory.")
public final class LoadClient implements Callable<Integer> {
    /** How a client talks to the front. */
    public enum Mode {
        /** {@code POST /process}: the answer is the scaled image. */
        sync,
        /** {@code POST /tasks}, poll {@code GET /tasks/{id}}, then {@code GET /tasks/{id}/result}. */
        async
    }

    @Parameters(index = "0", description = "Base URL of the front, e.g. http://127.0.0.1:8080")
    URI baseUrl;

    @Parameters(index = "1", description = "Image file to upload (JPEG or PNG).")
    Path input;

    @Option(names = "--scale", description = "Scale factor in (0, 1] (default: ${DEFAULT-VALUE}).")
    double scale = 0.5;

    @Option(names = "--format", description = "Output format: jpeg, png, webp, avif or auto (default: ${DEFAULT-VALUE}).")
    String format = "jpeg";

    @Option(names = "--quality", description = "JPEG output quality (default: ${DEFAULT-VALUE}).")
    int quality = 85;

    @Option(names = "--cache", description = "The front's result cache per request: use (repeats of the one input are"
            + " hits), bypass (every request computed and stored again: the miss path), off (computed, not stored;"
            + " what the front did before it had a cache) (default: ${DEFAULT-VALUE}).")
    String cache = "off";

    @Option(names = {"-c", "--concurrency"}, description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int concurrency = 1;

    @Option(names = {"-d", "--duration"}, description = "Measured seconds after warm-up (default: 10 unless"
            + " --requests is given).")
    Double durationSeconds;

    @Option(names = {"-n", "--requests"}, description = "Measured requests after warm-up; with --duration, "
            + "whichever comes first.")
    Long requests;

    @Option(names = "--warmup", description = "Warm-up seconds, not measured (default: ${DEFAULT-VALUE}).")
    double warmupSeconds = 3;

    @Option(names = "--warmup-requests", description = "Warm-up requests, not measured; with --warmup both must"
            + " pass (default: ${DEFAULT-VALUE}).")
    long warmupRequests = 0;

    @Option(names = "--mode", description = "sync or async (default: ${DEFAULT-VALUE}).")
    Mode mode = Mode.sync;

    @Option(names = "--pid", description = "PID of the graypipe front; it and all its descendants are sampled"
            + " for CPU and memory.")
    Long pid;

    @Option(names = "--sample-ms", description = "Memory sampling period (default: ${DEFAULT-VALUE}).")
    long sampleMillis = 50;

    @Option(names = "--poll-ms", description = "Async: task status polling period (default: ${DEFAULT-VALUE}).")
    long pollMillis = 10;

    @Option(names = "--timeout", description = "Seconds before one request counts as a timeout"
            + " (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds = 60;

    @Option(names = "--api-key", defaultValue = "${env:GRAYPIPE_API_KEY}", description = "API key sent as "
            + "Authorization: Bearer KEY, for a front with --api-keys (default: $GRAYPIPE_API_KEY, else none).")
    String apiKey;

    @CommandLine.Mixin
    ResultOptions output = new ResultOptions();

    /** A request to {@code uri}, head and body, with the API key when there is one ({@link BenchConnection}). */
    ByteBuffer keyed(String method, URI uri, byte[] body, String contentType) {
        List<String> headers = new ArrayList<>();
        if (contentType != null) {
            headers.add("Content-Type: " + contentType);
        }
        if (apiKey != null && !apiKey.isBlank()) {
            headers.add("Authorization: Bearer " + apiKey);
        }
        return BenchConnection.request(method, uri, body, headers.toArray(String[]::new));
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        output.report(run());
        return 0;
    }

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

    /** Runs the load and returns what it measured; also usable without the CLI. */
    public LoadResult run() throws IOException, InterruptedException {
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1");
        }
        byte[] body = Files.readAllBytes(input);
        String contentType = body.length > 3 && (body[0] & 0xff) == 0x89 && body[1] == 'P' ? "image/png"
                : "image/jpeg";
        long durationNanos = durationSeconds != null ? (long) (durationSeconds * 1e9)
                : requests != null ? Long.MAX_VALUE : 10_000_000_000L;
        long maxRequests = requests != null ? requests : Long.MAX_VALUE;

        ProcessSampler sampler = pid != null ? new ProcessSampler(pid, sampleMillis) : null;
        Schedule schedule = new Schedule((long) (warmupSeconds * 1e9), warmupRequests, durationNanos, maxRequests,
                sampler);
        String query = "scale=" + scale + "&format=" + URLEncoder.encode(format, StandardCharsets.UTF_8)
                + "&quality=" + quality + "&cache=" + URLEncoder.encode(cache, StandardCharsets.UTF_8);
        Duration timeout = Duration.ofMillis((long) (timeoutSeconds * 1000));
        // Built once, head and body, and sent by every client from the same direct buffer.
        ByteBuffer upload = keyed("POST", baseUrl.resolve((mode == Mode.sync ? "/process?" : "/tasks?") + query),
                body, contentType);

        List<ClientThread> clients = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            clients.add(new ClientThread(i, schedule, upload, timeout));
        }
        clients.forEach(Thread::start);
        for (ClientThread client : clients) {
            client.join();
        }
        clients.forEach(client -> client.connection.close());
        return result(output.scenario, output.tags, mode.name(), baseUrl.toString(), input, body.length, scale, format, quality,
                schedule, clients, sampler, false);
    }

    /**
     * Merges what the loops measured into one result. The server's CPU comes from the sampler, or is this
     * process's own when the loops did the work {@code inProcess}; otherwise it is unknown (null).
     */
    static LoadResult result(String scenario, Map<String, String> tags, String mode, String baseUrl, Path input,
                             long inputBytes, double scale, String format, int quality, Schedule schedule,
                             List<? extends ClosedLoop> loops, ProcessSampler sampler, boolean inProcess) {
        double clientCpu = schedule.clientCpuSeconds();
        List<LatencySamples> latencies = new ArrayList<>();
        Map<String, Long> errors = new TreeMap<>();
        long succeeded = 0;
        long bytesOut = 0;
        long windowImages = 0;
        for (ClosedLoop loop : loops) {
            latencies.add(loop.latencies);
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
                format, quality, loops.size(), schedule.warmupIssued(), windowSeconds, windowImages,
                windowSeconds > 0 ? windowImages / windowSeconds : 0,
                windowSeconds > 0 ? windowImages * (double) inputBytes / 1e6 / windowSeconds : 0,
                windowSeconds > 0 ? bytesOut / 1e6 / windowSeconds : 0,
                measured, succeeded, errors, LatencySamples.summarize(latencies), clientCpu, serverCpu,
                serverCpuPerImage, processes);
    }

    /**
     * Hands out request slots: warm-up until both the warm-up time and count have passed, then measured slots
     * until the duration or the count runs out. The steady window runs from the first measured slot to the first
     * refused one; only then were all clients continuously busy, so throughput and CPU are taken over it.
     */
    static final class Schedule {
        enum Slot { WARMUP, MEASURE, STOP }

        private final long startNanos = System.nanoTime();
        private final long warmupNanos;
        private final long warmupRequests;
        private final long durationNanos;
        private final long maxRequests;
        private final ProcessSampler sampler;
        private long warmupIssued;
        private long measuredIssued;
        private long windowStart = -1;
        private long windowEnd = -1;
        private double clientCpuAtStart;
        private double clientCpuAtEnd;

        Schedule(long warmupNanos, long warmupRequests, long durationNanos, long maxRequests,
                 ProcessSampler sampler) {
            this.warmupNanos = warmupNanos;
            this.warmupRequests = warmupRequests;
            this.durationNanos = durationNanos;
            this.maxRequests = maxRequests;
            this.sampler = sampler;
        }

        synchronized Slot next() {
            long now = System.nanoTime();
            if (windowEnd >= 0) {
                return Slot.STOP;
            }
            if (windowStart < 0) {
                if (now - startNanos < warmupNanos || warmupIssued < warmupRequests) {
                    warmupIssued++;
                    return Slot.WARMUP;
                }
                // Sampled under the lock so no measured request starts before the CPU baseline is taken.
                if (sampler != null) {
                    sampler.markStart();
                }
                clientCpuAtStart = ProcessSampler.ownCpuSeconds();
                windowStart = System.nanoTime();
            }
            if (measuredIssued >= maxRequests || now - windowStart >= durationNanos) {
                if (sampler != null) {
                    sampler.markEnd();
                }
                clientCpuAtEnd = ProcessSampler.ownCpuSeconds();
                windowEnd = System.nanoTime();
                return Slot.STOP;
            }
            measuredIssued++;
            return Slot.MEASURE;
        }

        synchronized boolean inWindow(long nanos) {
            return windowStart >= 0 && nanos >= windowStart && (windowEnd < 0 || nanos <= windowEnd);
        }

        synchronized long windowNanos() {
            return windowStart < 0 || windowEnd < 0 ? 0 : windowEnd - windowStart;
        }

        /** CPU this load client used over the steady window, comparable with the server's. */
        synchronized double clientCpuSeconds() {
            return windowEnd < 0 ? 0 : clientCpuAtEnd - clientCpuAtStart;
        }

        synchronized long warmupIssued() {
            return warmupIssued;
        }
    }

    /**
     * One closed loop: takes slots from the {@link Schedule}, runs one image per slot, and keeps its own samples
     * and counters, merged after it has finished. The HTTP clients here and the in-process floor share it.
     */
    abstract static class ClosedLoop extends Thread {
        private final Schedule schedule;
        final LatencySamples latencies = new LatencySamples();
        final Map<String, Long> errors = new LinkedHashMap<>();
        long succeeded;
        long windowImages;
        long windowBytesOut;
        /** Completions of requests still running when the window closed: counted in the window only if they
         *  finished inside it, which {@link Schedule#inWindow} decides once the end is known. */
        private final List<long[]> pendingEnds = new ArrayList<>();

        ClosedLoop(String name, Schedule schedule) {
            super(name);
            this.schedule = schedule;
        }

        /** Processes one image. */
        abstract Outcome once();

        @Override
        public void run() {
            Schedule.Slot slot;
            while ((slot = schedule.next()) != Schedule.Slot.STOP) {
                long start = System.nanoTime();
                Outcome outcome = once();
                long end = System.nanoTime();
                if (outcome.error == null) {
                    // Any completed image counts toward steady-window throughput, warm-up ones included.
                    pendingEnds.add(new long[]{end, outcome.bytesOut});
                }
                if (slot == Schedule.Slot.MEASURE) {
                    latencies.add(end - start);
                    if (outcome.error == null) {
                        succeeded++;
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
    }

    /** One closed-loop HTTP client over its own keep-alive connection. */
    private final class ClientThread extends ClosedLoop {
        private final BenchConnection connection = new BenchConnection(baseUrl);
        private final ByteBuffer upload;
        private final long timeoutNanos;

        ClientThread(int index, Schedule schedule, ByteBuffer upload, Duration timeout) {
            super("load-client-" + index, schedule);
            this.upload = upload;
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        Outcome once() {
            try {
                return mode == Mode.sync ? sendSync() : sendAsync();
            } catch (IOException e) {
                return Outcome.failed(e);
            }
        }

        private Outcome sendSync() throws IOException {
            BenchConnection.Response response = connection.send(upload, false, timeoutNanos);
            if (response.status() != 200) {
                return Outcome.failed(Integer.toString(response.status()));
            }
            return Outcome.ok(response.bodyBytes());
        }

        private Outcome sendAsync() throws IOException {
            long deadline = System.nanoTime() + timeoutNanos;
            BenchConnection.Response submitted = connection.send(upload, true, timeoutNanos);
            if (submitted.status() != 202) {
                return Outcome.failed("submit " + submitted.status());
            }
            JsonNode task = JSON.readTree(submitted.body());
            URI statusUrl = baseUrl.resolve(task.path("status_url").asText("/tasks/" + task.path("id").asText()));
            URI resultUrl = baseUrl.resolve(task.path("result_url").asText(statusUrl + "/result"));
            ByteBuffer poll = keyed("GET", statusUrl, null, null);
            String status = task.path("status").asText();
            while (!status.equals("done")) {
                if (status.equals("failed")) {
                    return Outcome.failed("task failed");
                }
                if (System.nanoTime() > deadline) {
                    return Outcome.failed("timeout");
                }
                // Polling is the protocol under test; the period bounds how much it adds to latency.
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.failed("interrupted");
                }
                BenchConnection.Response polled = connection.send(poll, true, timeoutNanos);
                if (polled.status() != 200) {
                    return Outcome.failed("status " + polled.status());
                }
                status = JSON.readTree(polled.body()).path("status").asText();
            }
            BenchConnection.Response result = connection.send(keyed("GET", resultUrl, null, null), false,
                    timeoutNanos);
            if (result.status() != 200) {
                return Outcome.failed("result " + result.status());
            }
            return Outcome.ok(result.bodyBytes());
        }
    }

    record Outcome(String error, long bytesOut) {
        static Outcome ok(long bytesOut) {
            return new Outcome(null, bytesOut);
        }

        static Outcome failed(String cause) {
            return new Outcome(cause, 0);
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
