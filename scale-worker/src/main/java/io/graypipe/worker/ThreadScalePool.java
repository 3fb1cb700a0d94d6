package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scaling on threads inside the worker JVM: the {@code --mode threads} comparison point for process isolation.
 * A crash here is an exception, not a dead process, so there is nothing to restart.
 */
final class ThreadScalePool implements ScalePool {
    private final ThreadPoolExecutor executor;
    private final AtomicInteger busy = new AtomicInteger();

    ThreadScalePool(WorkerConfig config) {
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(config.processes(), config.processes(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.queueSize()), r -> {
                    Thread thread = new Thread(r, "scale-thread-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    @Override
    public CompletableFuture<Message> submit(ScaleRequest request) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.timeoutMillis());
        CompletableFuture<Message> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (System.nanoTime() - deadline >= 0) {
                    answer.complete(new ErrorMessage(request.requestId(), ErrorCode.TIMEOUT,
                            "the request waited past its deadline in the worker queue"));
                    return;
                }
                busy.incrementAndGet();
                try {
                    answer.complete(ScaleJob.run(request));
                } catch (RuntimeException | OutOfMemoryError e) {
                    answer.complete(new ErrorMessage(request.requestId(), ErrorCode.INTERNAL, "scaling failed: " + e));
                } finally {
                    busy.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            answer.complete(new ErrorMessage(request.requestId(),
                    executor.isShutdown() ? ErrorCode.SHUTTING_DOWN : ErrorCode.OVERLOADED,
                    executor.isShutdown() ? "the worker is shutting down" : "the worker queue is full"));
        }
        return answer.orTimeout(request.timeoutMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> new ErrorMessage(request.requestId(), ErrorCode.TIMEOUT,
                        "scaling did not finish before the request's deadline"));
    }

    @Override
    public PoolStatus status() {
        return new PoolStatus(executor.getCorePoolSize(), executor.getCorePoolSize(), busy.get(),
                executor.getQueue().size(), 0);
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
