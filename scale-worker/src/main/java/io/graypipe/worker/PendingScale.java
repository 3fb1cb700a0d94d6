package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;

import java.util.concurrent.CompletableFuture;

/**
 * A request accepted by the pool and not yet answered. {@code request} carries the pool's own id, which is
 * unique across children; the future answers with the caller's original id.
 */
final class PendingScale {
    final ScaleRequest request;
    final long callerId;
    final long deadlineNanos;
    final CompletableFuture<Message> future = new CompletableFuture<>();
    int attempts;

    PendingScale(ScaleRequest request, long callerId, long deadlineNanos) {
        this.request = request;
        this.callerId = callerId;
        this.deadlineNanos = deadlineNanos;
    }

    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }

    void complete(Message answer) {
        future.complete(answer);
    }

    void fail(ErrorCode code, String message) {
        future.complete(new ErrorMessage(callerId, code, message));
    }
}
