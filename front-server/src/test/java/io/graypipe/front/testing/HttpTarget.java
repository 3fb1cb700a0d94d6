package io.graypipe.front.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Where a test sends its HTTP requests: one front ({@link FrontProcess}), or HAProxy in front of several
 * ({@link LoadBalancer}), so the same load ({@link TaskLedger}) can go to either.
 */
public interface HttpTarget {
    /** {@code path} (with its query) on this target. */
    URI uri(String path);

    /** The client requests to this target go through. */
    HttpClient http();

    /** What the process behind it printed, for failure messages. */
    String output();

    /** Sends {@code request}, body as bytes; fails with an unchecked exception when no answer comes. */
    default HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** POSTs {@code image} raw to {@code path} (with its query) and returns the response, body as bytes. */
    default HttpResponse<byte[]> post(String pathAndQuery, byte[] image) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
    }

    default HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }
}
