package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One closed-loop HTTP client of {@link LoadClient} over its own keep-alive connection: sync uploads to
 * {@code /process}, or async ones to {@code /tasks} polled until done and then fetched.
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
    }

    private final HttpClient http;
    private final Upload upload;

    HttpLoop(int index, LoadSchedule schedule, HttpClient http, Upload upload) {
        super("load-client-" + index, schedule);
        this.http = http;
        this.upload = upload;
    }

    @Override
    Outcome once() {
        return upload.mode() == LoadClient.Mode.sync ? sendSync() : sendAsync();
    }

    private Outcome sendSync() {
        HttpRequest request = keyed(upload.baseUrl().resolve("/process?" + upload.query()))
                .timeout(upload.timeout())
                .header("Content-Type", upload.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body()))
                .build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return Outcome.failed(Integer.toString(response.statusCode()));
            }
            return Outcome.ok(response.body().length);
        } catch (IOException e) {
            return Outcome.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
    }

    private Outcome sendAsync() {
        long deadline = System.nanoTime() + upload.timeout().toNanos();
        try {
            HttpResponse<byte[]> submitted = http.send(keyed(upload.baseUrl().resolve("/tasks?" + upload.query()))
                    .timeout(upload.timeout())
                    .header("Content-Type", upload.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body()))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (submitted.statusCode() != 202) {
                return Outcome.failed("submit " + submitted.statusCode());
            }
            JsonNode task = LoadClient.JSON.readTree(submitted.body());
            URI statusUrl = upload.baseUrl().resolve(task.path("status_url").asText("/tasks/" + task.path("id").asText()));
            URI resultUrl = upload.baseUrl().resolve(task.path("result_url").asText(statusUrl + "/result"));
            String status = task.path("status").asText();
            while (!status.equals("done")) {
                if (status.equals("failed")) {
                    return Outcome.failed("task failed");
                }
                if (System.nanoTime() > deadline) {
                    return Outcome.failed("timeout");
                }
                // Polling is the protocol under test; the period bounds how much it adds to latency.
                Thread.sleep(upload.pollMillis());
                HttpResponse<byte[]> polled = http.send(keyed(statusUrl).timeout(upload.timeout())
                        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (polled.statusCode() != 200) {
                    return Outcome.failed("status " + polled.statusCode());
                }
                status = LoadClient.JSON.readTree(polled.body()).path("status").asText();
            }
            HttpResponse<byte[]> result = http.send(keyed(resultUrl).timeout(upload.timeout())
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (result.statusCode() != 200) {
                return Outcome.failed("result " + result.statusCode());
            }
            return Outcome.ok(result.body().length);
        } catch (IOException e) {
            return Outcome.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
    }

    /** A request to {@code uri}, with the API key when there is one. */
    private HttpRequest.Builder keyed(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        String apiKey = upload.apiKey();
        return apiKey == null || apiKey.isBlank() ? request : request.header("Authorization", "Bearer " + apiKey);
    }
}
