package io.graypipe.protocol;

/** A violation of the wire format. The peer is told with an {@link ErrorMessage} and the connection closes. */
public class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorMessage toErrorMessage() {
        return new ErrorMessage(ErrorMessage.CONNECTION, code, getMessage());
    }
}
