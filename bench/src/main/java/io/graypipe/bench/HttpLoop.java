package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One closed-loop HTTP client of {@link LoadClient} over its own keep-alive connection ({@link BenchConnection}):
 * sync uploads to {@code /process}, or async ones to {@code /tasks} polled until done and then fetched.
 */
final class HttpLoop extends ClosedLoop {
    /**
     * What every loop sends, and where.
     *
     * @param query  the upload's query string: scale, format, quality, cache
     * @param apiKey sent as {@code Authorization: Bearer}; null or blank for none
     */
    record Upload(URI baseUrl, LoadClient.Mode mode, String apiKey, long pollMillis, byte[] body, String contentType,
                  String query, Duration timeout) {
        /** The upload request, head and body, to build once and send from every loop. */
        ByteBuffer request() {
            return keyed("POST", baseUrl.resolve((mode == LoadClient.Mode.sync ? "/process?" : "/tasks?") + query),
                    body, contentType);
        }

        /** A request to {@code uri}, head and body, with the API key when there is one. */
        ByteBuffer keyed(String method, URI uri, byte[] requestBody, String requestType) {
            List<String> headers = new ArrayList<>();
            if (requestType != null) {
                headers.add("Content-Type: " + requestType);
            }
            if (apiKey != null && !apiKey.isBlank()) {
                headers.add("Authorization: Bearer " + apiKey);
            }
            return BenchConnection.request(method, uri, requestBody, headers.toArray(String[]::new));
        }
    }

    private final Upload upload;
    private final ByteBuffer request;
    private final long timeoutNanos;
    private final BenchConnection connection;

    /** @param request {@link Upload#request()}, which every loop may share */
    HttpLoop(int index, LoadSchedule schedule, Upload upload, ByteBuffer request) {
        super("load-client-" + index, schedule);
        this.upload = upload;
        this.request = request;
        this.timeoutNanos = upload.timeout().toNanos();
        this.connection = new BenchConnection(upload.baseUrl());
    }

    @Override
    Outcome once() {
        try {
            return upload.mode() == LoadClient.Mode.sync ? sendSync() : sendAsync();
        } catch (IOException e) {
            return Outcome.failed(e);
        }
    }

    /** Closes the connection once the loop has ended. */
    void close() {
        connection.close();
    }

    private Outcome sendSync() throws IOException {
        BenchConnection.Response response = connection.send(request, false, timeoutNanos);
        if (response.status() != 200) {
            return Outcome.failed(Integer.toString(response.status()));
        }
        return Outcome.ok(response.bodyBytes(), response.serverTiming());
    }

    private Outcome sendAsync() throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        BenchConnection.Response submitted = connection.send(request, true, timeoutNanos);
        if (submitted.status() != 202) {
            return Outcome.failed("submit " + submitted.status());
        }
        JsonNode task = LoadClient.JSON.readTree(submitted.body());
        URI statusUrl = upload.baseUrl().resolve(task.path("status_url").asText("/tasks/" + task.path("id").asText()));
        URI resultUrl = upload.baseUrl().resolve(task.path("result_url").asText(statusUrl + "/result"));
        ByteBuffer poll = upload.keyed("GET", statusUrl, null, null);
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
                Thread.sleep(upload.pollMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.failed("interrupted");
            }
            BenchConnection.Response polled = connection.send(poll, true, timeoutNanos);
            if (polled.status() != 200) {
                return Outcome.failed("status " + polled.status());
            }
            status = LoadClient.JSON.readTree(polled.body()).path("status").asText();
        }
        BenchConnection.Response result = connection.send(upload.keyed("GET", resultUrl, null, null), false,
                timeoutNanos);
        if (result.status() != 200) {
            return Outcome.failed("result " + result.status());
        }
        return Outcome.ok(result.bodyBytes());
    }
}
