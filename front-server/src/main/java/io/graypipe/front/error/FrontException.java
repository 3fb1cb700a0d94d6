package io.graypipe.front.error;

/**
 * A failure reported by domain code (image, pipeline, task, worker): one {@link ErrorCode} and a message that says
 * what is wrong and how to fix it. Carries no stack trace: it is an answer, not a bug.
 */
public class FrontException extends RuntimeException {
    private final ErrorCode code;

    public FrontException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
