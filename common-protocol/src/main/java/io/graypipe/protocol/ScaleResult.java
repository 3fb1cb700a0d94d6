package io.graypipe.protocol;

/** The encoded, scaled image for the request with the same id. */
public record ScaleResult(long requestId, OutputFormat format, int width, int height, byte[] data)
        implements Message {

    public ScaleResult withRequestId(long newId) {
        return new ScaleResult(newId, format, width, height, data);
    }
}
