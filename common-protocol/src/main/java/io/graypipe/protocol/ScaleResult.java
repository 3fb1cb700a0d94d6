package io.graypipe.protocol;

/**
 * The encoded image for the request with the same id.
 *
 * @param mode where it ran: {@link ExecutionMode#PROCESSES} or {@link ExecutionMode#THREADS}, never DEFAULT
 */
public record ScaleResult(long requestId, OutputFormat format, ExecutionMode mode, int width, int height,
                          byte[] data) implements Message {
    public ScaleResult {
        if (format == null || mode == null || data == null) {
            throw new IllegalArgumentException("format, mode and data are required");
        }
        if (mode == ExecutionMode.DEFAULT) {
            throw new IllegalArgumentException("a result names the mode that ran it, not DEFAULT");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("result dimensions must be positive: " + width + "x" + height);
        }
    }

    public ScaleResult withRequestId(long newId) {
        return new ScaleResult(newId, format, mode, width, height, data);
    }
}
