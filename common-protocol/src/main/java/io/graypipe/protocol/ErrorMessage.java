package io.graypipe.protocol;

/**
 * A failure. With a request id it ends that request; with request id 0 it concerns the whole connection,
 * and the sender closes the connection after it.
 */
public record ErrorMessage(long requestId, ErrorCode code, String message) implements Message {
    public static final long CONNECTION = 0;

    public ErrorMessage {
        if (message == null) {
            message = "";
        }
    }

    public ErrorMessage withRequestId(long newId) {
        return new ErrorMessage(newId, code, message);
    }
}
