package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ErrorMessage;

/** The one place where the worker's protocol error codes become HTTP API errors. */
final class WorkerErrors {
    private WorkerErrors() {
    }

    static FrontException toFrontException(ErrorMessage error) {
        return switch (error.code()) {
            case OVERLOADED -> new FrontException(ErrorCode.OVERLOADED,
                    "the scale-worker is at capacity; retry after the Retry-After delay");
            case SHUTTING_DOWN -> new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                    "the scale-worker is restarting; retry after the Retry-After delay");
            case TIMEOUT -> new FrontException(ErrorCode.DEADLINE_EXCEEDED,
                    "the image was not scaled before the deadline; try again, or a smaller image");
            case UNDECODABLE -> new FrontException(ErrorCode.UNDECODABLE_IMAGE,
                    "the scale-worker could not read the image: " + error.message());
            case UNSUPPORTED_FORMAT -> new FrontException(ErrorCode.FORMAT_UNAVAILABLE, error.message());
            case CHILD_CRASHED -> new FrontException(ErrorCode.SCALING_FAILED,
                    "scaling this image crashed the scaling process twice; the image is likely corrupt");
            default -> new FrontException(ErrorCode.SCALING_FAILED,
                    "the scale-worker could not scale this image (" + error.code().label() + "): " + error.message());
        };
    }
}
