package io.graypipe.worker;

import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Both pools at once, so one worker can compare them run for run (issue 11): each request goes to the child
 * processes or the threads its {@link ScaleRequest#mode()} names, and a request with mode DEFAULT to the pool of
 * the worker's {@code --mode}. The STATUS figures for children come from the child pool and {@code threads} /
 * {@code threadsBusy} from the thread pool; {@code queued} counts both queues.
 */
final class ModeRoutingPool implements ScalePool {
    private final ChildProcessPool processes;
    private final ThreadScalePool threads;
    private final ExecutionMode defaultMode;

    /** @param defaultMode PROCESSES or THREADS: where requests that leave the choice to the worker run */
    ModeRoutingPool(ChildProcessPool processes, ThreadScalePool threads, ExecutionMode defaultMode) {
        if (defaultMode == ExecutionMode.DEFAULT) {
            throw new IllegalArgumentException("the default mode must be PROCESSES or THREADS");
        }
        this.processes = processes;
        this.threads = threads;
        this.defaultMode = defaultMode;
    }

    @Override
    public CompletableFuture<Message> submit(ScaleRequest request) {
        ExecutionMode mode = request.mode() == ExecutionMode.DEFAULT ? defaultMode : request.mode();
        return mode == ExecutionMode.THREADS ? threads.submit(request) : processes.submit(request);
    }

    @Override
    public PoolStatus status() {
        PoolStatus children = processes.status();
        PoolStatus pool = threads.status();
        return new PoolStatus(children.configured(), children.alive(), children.busy(),
                children.queued() + pool.queued(), children.restarts(), pool.threads(), pool.threadsBusy(),
                children.children());
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean threadsDrained = threads.drain(timeout);
        return processes.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))) && threadsDrained;
    }

    @Override
    public void close() {
        threads.close();
        processes.close();
    }
}
