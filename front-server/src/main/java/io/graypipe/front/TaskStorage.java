package io.graypipe.front;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.config.StoreAddress;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.LocalTasks;
import io.graypipe.front.pipeline.SharedTasks;
import io.graypipe.front.store.redis.RedisConnections;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.task.DataDirTaskStore;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where async tasks and batches live, chosen once by {@code --store}: {@link LocalTasks} on the data directory
 * and memory, or {@link SharedTasks} in Redis. Either way the data directory is locked (the result cache may
 * live in it) and {@link DurableTasks} follows the registry. The endpoints see only {@link #asyncTasks()}.
 */
record TaskStorage(DataDirTaskStore files, DurableTasks durable, SharedTasks shared, BatchStore batches,
                   AsyncTasks asyncTasks) {
    private static final Logger log = LoggerFactory.getLogger(TaskStorage.class);

    /**
     * Connects to the Redis of --store (fails the start when it cannot be reached: a front that cannot take async
     * tasks should not join the rotation) and makes this front one consumer of the shared work queue, under a name
     * no other process uses; without --store, batches stay in memory.
     */
    static TaskStorage open(FrontConfig config, DataDirTaskStore files, TaskRegistry tasks,
                            ImagePipeline pipeline, Workers workers, FrontExecutors executors) throws IOException {
        DurableTasks durable = new DurableTasks(files, tasks, pipeline, executors.storage(), executors.housekeeping(),
                config.timeouts().request());
        StoreAddress address = config.storage().store();
        if (address == null) {
            BatchStore batches = new BatchStore(Clock.systemUTC(), config.timeouts().resultTtl());
            return new TaskStorage(files, durable, null, batches, new LocalTasks(durable, tasks, batches));
        }
        RedisConnections redis = RedisConnections.open(address.uri(), FrontComponents.STORE_TIMEOUT,
                FrontComponents.STORE_PREFIX);
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String consumer = InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
        int slots = Math.min(config.processing().queueSize(),
                config.processing().grayThreads() + config.worker().inFlight());
        log.info("async tasks in {} as consumer {}, running up to {} at once", address.location(), consumer, slots);
        SharedTasks shared = new SharedTasks(redis, address.location(), consumer, config.storage().claimIdle(), tasks,
                pipeline, workers, executors.storage(), executors.housekeeping(), config.timeouts().request(), slots);
        return new TaskStorage(files, durable, shared, null, shared);
    }

    /**
     * Locks the data directory. The default one may be held by another front on the same machine; then this one
     * uses a fresh directory of its own rather than share, and says so. A directory given with --data-dir is never
     * replaced: two fronts on one directory would run each other's tasks.
     */
    static DataDirTaskStore openDataDir(FrontConfig config) throws IOException {
        try {
            return DataDirTaskStore.open(config.storage().dataDir(), config.storage().maxDataBytes());
        } catch (DataDirTaskStore.DataDirInUseException e) {
            if (config.storage().dataDirGiven()) {
                throw e;
            }
            Path own = Files.createTempDirectory("graypipe-data-");
            log.warn("{}; using {} instead, whose tasks the next start will not find (pass --data-dir to choose)",
                    e.getMessage(), own);
            return DataDirTaskStore.open(own, config.storage().maxDataBytes());
        }
    }

    /** Joins the shared work queue, or runs again the tasks the data directory kept; sweeps old batches. */
    void start(ScheduledExecutorService housekeeping) throws IOException {
        if (shared != null) {
            shared.start();
        } else {
            housekeeping.scheduleWithFixedDelay(batches::sweep, 30, 30, TimeUnit.SECONDS);
            durable.recover();
        }
    }

    /** From now on, tasks interrupted by the shutdown stay where they are for the next start or another front. */
    void stopping() {
        durable.stopping();
        if (shared != null) {
            shared.stopping();
        }
    }

    /** Disconnects from Redis, then unlocks the data directory. */
    void close() {
        if (shared != null) {
            shared.close();
        }
        files.close();
    }
}
