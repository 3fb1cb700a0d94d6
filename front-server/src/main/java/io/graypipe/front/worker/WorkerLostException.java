package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;

/**
 * A request whose worker was lost (connection closed, heartbeats unanswered) before it answered. A
 * {@link WorkerPool} of several workers sends such a request once more to another; otherwise it reaches the
 * caller as {@code worker_unavailable}.
 */
final class WorkerLostException extends FrontException {
    WorkerLostException(String message) {
        super(ErrorCode.WORKER_UNAVAILABLE, message);
    }
}
