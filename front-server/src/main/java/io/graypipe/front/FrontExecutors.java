package io.graypipe.front;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.pipeline.FairQueue;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The front's threads, each pool bounded as docs/architecture.md ("Threads") says: the event loops, the gray,
 * upload and storage executors, the housekeeping thread, and the worker slots the gray threads take. Made once;
 * {@link FrontServer} stops the work threads only after every request is answered, and the event loops last.
 */
record FrontExecutors(EventLoopGroup acceptGroup, EventLoopGroup ioGroup, ThreadPoolExecutor gray,
                      Semaphore workerSlots, ThreadPoolExecutor upload, ThreadPoolExecutor storage,
                      ScheduledExecutorService housekeeping) {

    /** {@code queueWaits} is told how long each image waited in the gray queue, by client. */
    static FrontExecutors create(FrontConfig config, FairQueue.WaitObserver queueWaits) {
        FrontConfig.Processing processing = config.processing();
        EventLoopGroup acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("graypipe-accept"),
                NioIoHandler.newFactory());
        EventLoopGroup ioGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("graypipe-http"),
                NioIoHandler.newFactory());
        Semaphore workerSlots = new Semaphore(config.worker().inFlight());
        // Clients share the gray threads by deficit round robin (docs/many-users.md), not first come, first served.
        ThreadPoolExecutor gray = new ThreadPoolExecutor(processing.grayThreads(), processing.grayThreads(), 0,
                TimeUnit.MILLISECONDS, new FairQueue(processing.queueSize(), config.access().clientInFlight(),
                        config.access().fifo(), queueWaits, config.access().fifo() ? null : workerSlots),
                new DefaultThreadFactory("graypipe-gray"));
        // Every task goes through the queue (none is handed to a starting thread), so each takes its slot there.
        gray.prestartAllCoreThreads();
        // Each body in progress holds at most one task here (UploadReceiver drains its chunks serially), so the
        // bounded queue bounds the bodies being received; past it an upload gets 503 overloaded.
        ThreadPoolExecutor upload = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(processing.queueSize() * 4), new DefaultThreadFactory("graypipe-upload"));
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("graypipe-housekeeping", true));
        // Bounded like the gray queue: a slow disk makes async uploads wait for room, then get 503, never pile up.
        ThreadPoolExecutor storage = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(processing.queueSize() * 2), new DefaultThreadFactory("graypipe-storage"));
        return new FrontExecutors(acceptGroup, ioGroup, gray, workerSlots, upload, storage, housekeeping);
    }

    /** Images waiting for a gray thread. */
    int grayQueueDepth() {
        return gray.getQueue().size();
    }

    /**
     * Returns once each I/O loop ran a task queued now. A connection accepted just before its listener closed is
     * registered on an I/O loop by a task queued there; after this, every accepted connection is known.
     */
    void settleIo() {
        ioGroup.forEach(loop -> loop.submit(() -> { }).syncUninterruptibly());
    }

    /**
     * Stops the gray, upload and housekeeping threads at once; lets the storage writes under way finish (so no
     * accepted upload is cut short; they are small and bounded) for up to 5 s.
     */
    void stopWork() {
        gray.shutdownNow();
        upload.shutdownNow();
        housekeeping.shutdownNow();
        storage.shutdown();
        try {
            if (!storage.awaitTermination(5, TimeUnit.SECONDS)) {
                storage.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stopEventLoops() {
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
