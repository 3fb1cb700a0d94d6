package io.graypipe.front.cache;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that stores results, behind a queue of {@link #QUEUE} writes. A write that finds the queue full
 * is dropped and counted: the result was already answered, and a later request computes it again.
 */
final class CacheWriter implements AutoCloseable {
    static final int QUEUE = 64;

    private final ThreadPoolExecutor executor;

    CacheWriter(String name, CacheStats stats) {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        }, (rejected, pool) -> stats.dropped());
    }

    void submit(Runnable write) {
        executor.execute(write);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
