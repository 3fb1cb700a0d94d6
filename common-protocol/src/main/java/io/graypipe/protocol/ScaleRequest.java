package io.graypipe.protocol;

/**
 * Asks the worker to scale {@code image} by {@code factor} and encode it.
 *
 * @param requestId  chosen by the sender, unique among its requests in flight on one connection
 * @param factor     0 &lt; factor &le; 1
 * @param format     the output encoding
 * @param quality    1..100, used for JPEG only
 * @param timeoutMillis how long the sender will wait; the worker gives up on the request after that
 */
public record ScaleRequest(long requestId, double factor, OutputFormat format, int quality, int timeoutMillis,
                           ImageData image) implements Message {
    public ScaleRequest {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1]: " + factor);
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
    }

    public ScaleRequest withRequestId(long newId) {
        return new ScaleRequest(newId, factor, format, quality, timeoutMillis, image);
    }
}
