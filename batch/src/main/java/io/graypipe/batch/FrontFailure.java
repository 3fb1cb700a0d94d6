package io.graypipe.batch;

import io.graypipe.batch.FrontMessages.Failure;

/** An image the front (or the connection to it) could not process: the error code and message to report. */
final class FrontFailure extends Exception {
    private final transient Failure failure;

    FrontFailure(Failure failure) {
        super(failure.code() + ": " + failure.message());
        this.failure = failure;
    }

    FrontFailure(String code, String message) {
        this(new Failure(code, message));
    }

    Failure failure() {
        return failure;
    }
}
