package io.graypipe.protocol;

import java.util.List;

/**
 * Asks the worker to scale {@code image} to exactly {@code targetWidth × targetHeight} by area averaging, apply
 * {@code ops} in order, and encode the result.
 *
 * @param requestId     chosen by the sender, unique among its requests in flight on one connection
 * @param targetWidth   output width before the ops, 1 ≤ targetWidth ≤ image width
 * @param targetHeight  output height before the ops, 1 ≤ targetHeight ≤ image height
 * @param format        the output encoding
 * @param quality       1..100, used for JPEG, WebP and AVIF
 * @param timeoutMillis how long the sender will wait; the worker gives up on the request after that
 * @param mode          where the worker runs it: its child processes, its threads, or its default
 * @param ops           the filter chain, at most {@link #MAX_OPS}
 * @param image         the source raster; it may be smaller than the upload (JPEG shrink-on-load) but never
 *                      smaller than the target
 * @param lossless      WebP only: encode losslessly (the LOSSLESS bit of the encode flags)
 */
public record ScaleRequest(long requestId, int targetWidth, int targetHeight, OutputFormat format, int quality,
                           int timeoutMillis, ExecutionMode mode, List<Op> ops, ImageData image, boolean lossless)
        implements Message {
    public static final int MAX_OPS = 10;
    /** Bit 0 of the encode flags. */
    public static final int FLAG_LOSSLESS = 0x1;

    public ScaleRequest {
        if (format == null || mode == null || image == null) {
            throw new IllegalArgumentException("format, mode and image are required");
        }
        if (targetWidth < 1 || targetHeight < 1 || targetWidth > image.width() || targetHeight > image.height()) {
            throw new IllegalArgumentException(String.format("target %dx%d must be within 1x1..%dx%d",
                    targetWidth, targetHeight, image.width(), image.height()));
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
        ops = List.copyOf(ops);
        if (ops.size() > MAX_OPS) {
            throw new IllegalArgumentException(ops.size() + " ops, at most " + MAX_OPS);
        }
        if (lossless && format != OutputFormat.WEBP) {
            throw new IllegalArgumentException("lossless applies to WebP only, not " + format.label());
        }
    }

    /** A lossy request (no encode flags). */
    public ScaleRequest(long requestId, int targetWidth, int targetHeight, OutputFormat format, int quality,
                        int timeoutMillis, ExecutionMode mode, List<Op> ops, ImageData image) {
        this(requestId, targetWidth, targetHeight, format, quality, timeoutMillis, mode, ops, image, false);
    }

    /** The encode flags byte: {@link #FLAG_LOSSLESS} or 0. */
    public int encodeFlags() {
        return lossless ? FLAG_LOSSLESS : 0;
    }

    /** A plain gray-and-scale request: no ops, the worker's default mode. */
    public static ScaleRequest scale(long requestId, int targetWidth, int targetHeight, OutputFormat format,
                                     int quality, int timeoutMillis, ImageData image) {
        return new ScaleRequest(requestId, targetWidth, targetHeight, format, quality, timeoutMillis,
                ExecutionMode.DEFAULT, List.of(), image);
    }

    /** The output size of scaling {@code n} pixels by {@code factor}: {@code max(1, floor(n·factor))}. */
    public static int targetSize(int n, double factor) {
        // A hair of slack so that e.g. 0.3 * 10 (= 2.9999999999999996) counts as 3, as a person would compute it.
        long v = (long) Math.floor(n * factor + 1e-9);
        return (int) Math.max(1, Math.min(n, v));
    }

    public ScaleRequest withRequestId(long newId) {
        return new ScaleRequest(newId, targetWidth, targetHeight, format, quality, timeoutMillis, mode, ops, image,
                lossless);
    }

    public ScaleRequest withImage(ImageData newImage) {
        return new ScaleRequest(requestId, targetWidth, targetHeight, format, quality, timeoutMillis, mode, ops,
                newImage, lossless);
    }
}
