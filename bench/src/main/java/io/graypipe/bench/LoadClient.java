package io.graypipe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * CLI: a closed-loop HTTP load generator for graypipe. Each of {@code --concurrency} clients sends one image,
 * waits for the answer and sends the next, over its own keep-alive HTTP/1.1 connection ({@link BenchConnection}:
 * a blocking socket and a request built once, so the client takes as little as it can of the CPUs it shares with
 * the server it measures). A warm-up phase is run
 * and thrown away; the run stops by itself after {@code --duration} and/or {@code --requests}. This class holds the
 * options and starts the run: {@link LoadSchedule} hands out the requests, {@link HttpLoop}s send them, and
 * {@link ClosedLoop#result} adds up what they measured.
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

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        output.report(run());
        return 0;
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
        LoadSchedule schedule = new LoadSchedule((long) (warmupSeconds * 1e9), warmupRequests, durationNanos,
                maxRequests, sampler);
        String query = "scale=" + scale + "&format=" + URLEncoder.encode(format, StandardCharsets.UTF_8)
                + "&quality=" + quality + "&cache=" + URLEncoder.encode(cache, StandardCharsets.UTF_8);
        Duration timeout = Duration.ofMillis((long) (timeoutSeconds * 1000));

        HttpLoop.Upload upload = new HttpLoop.Upload(baseUrl, mode, apiKey, pollMillis, body, contentType, query,
                timeout);
        // Built once, head and body, and sent by every client from the same direct buffer.
        ByteBuffer request = upload.request();
        List<HttpLoop> clients = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            clients.add(new HttpLoop(i, schedule, upload, request));
        }
        clients.forEach(Thread::start);
        for (HttpLoop client : clients) {
            client.join();
        }
        clients.forEach(HttpLoop::close);
        return ClosedLoop.result(output.scenario, output.tags, mode.name(), baseUrl.toString(), input, body.length,
                scale, format, quality, schedule, clients, sampler, false);
    }
}
