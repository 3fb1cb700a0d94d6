package io.graypipe.front.worker;

import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The scale-workers a front sends rasters to. {@link WorkerClient} is one connection to one worker;
 * {@link WorkerPool} spreads requests over several. The pipeline, the HTTP layer and the metrics see only this.
 *
 * <p>Every method may be called from any thread, including an event loop: none of them blocks, except that
 * {@link #scale} copies the raster into shared memory first when the worker shares it (call it from a worker thread).
 */
public interface Workers extends AutoCloseable {

    /** Starts connecting in the background; {@link #isReady()} turns true once a worker can take requests. */
    void start();

    /** Whether at least one worker is connected and handshaken. */
    boolean isReady();

    /**
     * Why scaling cannot happen right now, or null when it can. Answers /readyz, and whether a sync upload is
     * taken.
     */
    String unavailableReason();

    /**
     * The output formats at least one connected worker encodes, from their HELLOs: JPEG and PNG from any, WebP and
     * AVIF only from a worker that loaded the library. Empty while no worker is connected.
     */
    Set<OutputFormat> encodable();

    /** Requests sent and not yet answered, over all workers. */
    int inFlight();

    /**
     * Sends {@code order} to a worker. The future fails with a {@code FrontException} when the worker refuses
     * the request, or when {@code timeoutMillis} passes first.
     */
    CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis);

    /**
     * The pool status of every connected worker added up (children listed worker after worker); fails with
     * WORKER_UNAVAILABLE when none answers within {@code timeout}.
     */
    CompletableFuture<WorkerStatus> fetchStatus(Duration timeout);

    /** Each worker now, in the order they were configured. */
    List<WorkerSnapshot> snapshots();

    /** Fails every request not yet answered and closes the connections. */
    @Override
    void close();
}
