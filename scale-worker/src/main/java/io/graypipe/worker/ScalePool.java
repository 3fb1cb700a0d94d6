package io.graypipe.worker;

import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.WorkerStatus;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where scale requests run. The future completes with a {@link io.graypipe.protocol.ScaleResult} or an
 * {@link io.graypipe.protocol.ErrorMessage} carrying the request's own id; it never completes exceptionally.
 */
public interface ScalePool extends AutoCloseable {

    CompletableFuture<Message> submit(ScaleRequest request);

    PoolStatus status();

    /** Waits up to {@code timeout} for requests already accepted to finish. Returns whether they all did. */
    boolean drain(Duration timeout) throws InterruptedException;

    /** Stops every child or thread; requests still pending fail with SHUTTING_DOWN. */
    @Override
    void close();

    /** A snapshot of the pool for logs, readiness and metrics; {@code children} has one entry per slot. */
    record PoolStatus(int configured, int alive, int busy, int queued, long restarts, int threads, int threadsBusy,
                      List<WorkerStatus.Child> children) {
        /** The same figures as the STATUS message that answers {@code nonce}. */
        public WorkerStatus toMessage(long nonce) {
            return new WorkerStatus(nonce, configured, alive, busy, queued, restarts, threads, threadsBusy, children);
        }
    }
}
