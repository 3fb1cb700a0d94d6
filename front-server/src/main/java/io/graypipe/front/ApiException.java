package io.graypipe.front;

/** An error answer for a client: one {@link ApiError} and a message that says what is wrong and how to fix it. */
public class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
