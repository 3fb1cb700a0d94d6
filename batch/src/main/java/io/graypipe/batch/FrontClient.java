package io.graypipe.batch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.graypipe.batch.FrontMessages.ErrorBody;
import io.graypipe.batch.FrontMessages.Stats;
import io.graypipe.batch.FrontMessages.BatchAccepted;
import io.graypipe.batch.FrontMessages.BatchCreated;
import io.graypipe.batch.FrontMessages.BatchEntry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The front's public HTTP API as the CLI uses it: one batch per run ({@code POST /batches}), one upload per image
 * and pass joining it ({@code POST /tasks?batch=ID}), progress from the batch's one event stream
 * ({@code GET /batches/{id}/events}, see {@link BatchStream}), each result, then {@code DELETE} so finished results
 * do not fill the front's data directory, and {@code POST /batches/{id}/close} at the end. A 503 is waited out for its {@code Retry-After} and
 * sent again; it is never a failure.
 */
final class FrontClient {
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A connection the front closed just as it was reused is worth one more try; more is a real failure. */
    private static final int CONNECTION_ATTEMPTS = 3;
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofSeconds(30);

    static {
        // The front closes connections idle for its --read-timeout (30 s). A pooled connection reused just as it
        // closes fails the POST with "received no bytes"; keeping pooled connections younger avoids that.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "10");
        }
    }

    private final URI base;
    /** HTTP/1.1 as the front speaks it; the default would ask every plain-HTTP request to upgrade to h2c. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final LongAdder retriesAfter503 = new LongAdder();
    /** Sent as Authorization: Bearer on every request to a front with --api-keys; null for none. */
    private final String apiKey;

    FrontClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }

    /** A request to {@code path} under the front's address, with the API key when there is one. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        return apiKey == null ? request : request.header("Authorization", "Bearer " + apiKey);
    }

    URI base() {
        return base;
    }

    /** 503 answers waited out so far. */
    long retriesAfter503() {
        return retriesAfter503.sum();
    }

    /** The worker's slots (children or threads), from {@code GET /stats}; 1 when the worker is not reachable. */
    int workerSlots() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(get("/stats"), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + base.resolve("/stats") + " answered " + response.statusCode());
        }
        Stats stats = JSON.readValue(response.body(), Stats.class);
        return stats.pool() != null && stats.pool().reachable() ? Math.max(1, stats.pool().configured()) : 1;
    }

    /** Whether the front applies op chains and per-request modes (issue "Filters"): it answers {@code GET /ops}. */
    boolean supportsOps() throws IOException, InterruptedException {
        return http.send(get("/ops"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /**
     * Uploads {@code image} as a task of {@code pass} joining batch {@code batchId}, named {@code name} in it.
     * Waits out 503s; gives up (empty) if {@code stopping} turns true while it waits, since nothing was accepted then.
     */
    Optional<String> submit(Path image, String name, Pass pass, BatchConfig config, String batchId,
                            BooleanSupplier stopping) throws FrontFailure, InterruptedException {
        HttpRequest request = request("/tasks?" + query(pass, config) + "&batch="
                        + batchId + "&filename=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/octet-stream")
                // With --format auto the front picks the best format this client takes; the CLI writes them all.
                .header("Accept", "image/avif,image/webp,image/jpeg,image/png")
                .POST(fileBody(image))
                .build();
        int connectionFailures = 0;
        while (!stopping.getAsBoolean()) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (++connectionFailures >= CONNECTION_ATTEMPTS) {
                    throw new FrontFailure("connection_failed", "POST " + request.uri() + ": " + e);
                }
                continue;
            }
            if (response.statusCode() == 202) {
                BatchEntry entry = read(response.body(), BatchAccepted.class).tasks().get(0);
                if (entry.id() == null) {
                    throw new FrontFailure(entry.error());
                }
                return Optional.of(entry.id());
            }
            if (response.statusCode() != 503) {
                throw failure(response.statusCode(), response.body());
            }
            retriesAfter503.increment();
            Thread.sleep(retryAfter(response).toMillis());
        }
        return Optional.empty();
    }

    /** {@code POST /batches}: the run's batch, which every upload joins. */
    String openBatch() throws FrontFailure, InterruptedException {
        HttpRequest request = request("/batches").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 201) {
                throw failure(response.statusCode(), response.body());
            }
            return read(response.body(), BatchCreated.class).id();
        } catch (IOException e) {
            throw new FrontFailure("connection_failed", "POST " + request.uri() + ": " + e);
        }
    }

    /** Follows the batch's event stream until its {@code done} event. */
    BatchStream follow(String batchId) {
        return new BatchStream(http, get("/batches/" + batchId + "/events"));
    }

    /** {@code POST /batches/{id}/close}: no more uploads; the batch's stream ends once every task is final. */
    void closeBatch(String batchId) throws FrontFailure, InterruptedException {
        HttpRequest request = request("/batches/" + batchId + "/close")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw failure(response.statusCode(), response.body());
            }
        } catch (IOException e) {
            throw new FrontFailure("connection_failed", "POST " + request.uri() + ": " + e);
        }
    }

    /** Streams the task's result into {@code file}. */
    void download(String taskId, Path file) throws FrontFailure, InterruptedException {
        try {
            HttpResponse<Path> response = http.send(get("/tasks/" + taskId + "/result"),
                    HttpResponse.BodyHandlers.ofFile(file));
            if (response.statusCode() != 200) {
                throw failure(response.statusCode(), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new FrontFailure("download_failed", "GET /tasks/" + taskId + "/result into " + file + ": " + e);
        }
    }

    /** Frees the task and its result on the front; a failure here costs only disk until the front's TTL. */
    void forget(String taskId) throws InterruptedException {
        try {
            http.send(request("/tasks/" + taskId).timeout(Duration.ofSeconds(30))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // Nothing to undo: the front forgets the task after --result-ttl anyway.
        }
    }

    private HttpRequest get(String path) {
        return request(path).timeout(Duration.ofMinutes(5)).GET().build();
    }

    /** The query of every upload; {@code ops} and {@code mode} appear only when the pass sets them. */
    static String query(Pass pass, BatchConfig config) {
        List<String> parameters = new ArrayList<>();
        parameters.add("scale=" + config.scale());
        if (config.format() != null) {
            parameters.add("format=" + config.format());
        }
        if (config.quality() != null) {
            parameters.add("quality=" + config.quality());
        }
        if (pass.chain() != null) {
            parameters.add("ops=" + URLEncoder.encode(pass.chain(), StandardCharsets.UTF_8));
        }
        if (pass.mode() != null) {
            parameters.add("mode=" + pass.mode());
        }
        return String.join("&", parameters);
    }

    private static HttpRequest.BodyPublisher fileBody(Path image) throws FrontFailure {
        try {
            return HttpRequest.BodyPublishers.ofFile(image);
        } catch (IOException e) {
            throw new FrontFailure("unreadable_file", image + ": " + e.getMessage());
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        Duration wait = response.headers().firstValue("Retry-After")
                .filter(value -> value.matches("\\d{1,6}"))
                .map(value -> Duration.ofSeconds(Long.parseLong(value)))
                .orElse(Duration.ofSeconds(1));
        return wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait;
    }

    private static FrontFailure failure(int status, byte[] body) {
        try {
            ErrorBody error = JSON.readValue(body, ErrorBody.class);
            if (error.error() != null) {
                return new FrontFailure(error.error());
            }
        } catch (IOException e) {
            // Not the front's error JSON; report the status and the start of what came instead.
        }
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return new FrontFailure("http_" + status, "HTTP " + status + ": " + text);
    }

    private static <T> T read(byte[] body, Class<T> type) throws FrontFailure {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new FrontFailure("bad_answer", "the front answered what is not the expected JSON: " + e.getMessage());
        }
    }
}
