package io.graypipe.worker;

import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.WorkerStatus;
import io.graypipe.worker.image.Encoders;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Scaling on threads inside the worker JVM: the {@code --mode threads} comparison point for process isolation.
 * A crash here is an exception, not a dead process, so there is nothing to restart.
 */
final class ThreadScalePool implements ScalePool {
    private final ThreadPoolExecutor executor;
    /** Regions are mapped in this JVM; null when the worker offers no shared memory. */
    private final SharedRegionReader regions;
    /** The codec libraries loaded in this JVM. */
    private final Encoders encoders;
    private final AtomicInteger busy = new AtomicInteger();
    /** Each pool thread's slot number, so per-thread figures can be reported like per-child ones. */
    private final ThreadLocal<Integer> slotOfThread = new ThreadLocal<>();
    private final AtomicIntegerArray busyBySlot;
    private final AtomicLongArray answeredBySlot;

    ThreadScalePool(WorkerConfig config) {
        AtomicInteger threadNumber = new AtomicInteger();
        this.regions = config.sharedMemory();
        this.encoders = config.encoders();
        this.busyBySlot = new AtomicIntegerArray(config.processes());
        this.answeredBySlot = new AtomicLongArray(config.processes());
        this.executor = new ThreadPoolExecutor(config.processes(), config.processes(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.queueSize()), r -> {
                    int slot = threadNumber.getAndIncrement();
                    Thread thread = new Thread(() -> {
                        slotOfThread.set(slot % config.processes());
                        r.run();
                    }, "scale-thread-" + (slot + 1));
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
                int slot = slotOfThread.get();
                busy.incrementAndGet();
                busyBySlot.incrementAndGet(slot);
                try {
                    answer.complete(ScaleJob.run(request, ExecutionMode.THREADS, regions, encoders));
                } catch (RuntimeException | OutOfMemoryError e) {
                    answer.complete(new ErrorMessage(request.requestId(), ErrorCode.INTERNAL, "scaling failed: " + e));
                } finally {
                    answeredBySlot.incrementAndGet(slot);
                    busyBySlot.decrementAndGet(slot);
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
        List<WorkerStatus.Child> slots = new ArrayList<>(answeredBySlot.length());
        for (int slot = 0; slot < answeredBySlot.length(); slot++) {
            slots.add(new WorkerStatus.Child(true, busyBySlot.get(slot) > 0, answeredBySlot.get(slot), 0));
        }
        return new PoolStatus(executor.getCorePoolSize(), executor.getCorePoolSize(), busy.get(),
                executor.getQueue().size(), 0, executor.getCorePoolSize(), busy.get(), slots);
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
