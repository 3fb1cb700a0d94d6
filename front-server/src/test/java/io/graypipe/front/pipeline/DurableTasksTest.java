package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.DataDirTaskStore;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.SettableClock;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files of durable tasks on a real data directory, with a storage executor as small and busy as a loaded
 * front's. The sweep forgets every task past its TTL at once; their files must all go, however full the storage
 * queue is at that moment (the 30-minute soak's data directory grew without bound when they did not).
 */
class DurableTasksTest {
    private static final int TASKS = 40;

    @TempDir
    Path dataDir;

    @Test
    void aSweepDeletesTheFilesOfEveryForgottenTaskEvenWhenTheStorageQueueIsFull() throws Exception {
        ThreadPoolExecutor storage = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        SettableClock clock = new SettableClock(Instant.parse("2026-11-29T06:00:00Z"));
        TaskRegistry tasks = new TaskRegistry(clock, Duration.ofSeconds(60));
        CountDownLatch busy = new CountDownLatch(1);
        try (DataDirTaskStore files = DataDirTaskStore.open(dataDir, 1L << 30)) {
            // The pipeline is not used: these tasks are stored and finished by hand, as DurableTasks would.
            new DurableTasks(files, tasks, null, storage, timer, Duration.ofMinutes(1));
            List<Task> finished = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                Task task = tasks.createDurable(1.0, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofMinutes(1));
                assertTrue(files.reserve(1000), "room for the upload");
                files.writeUpload(task.id(), new ByteArrayInputStream(new byte[1000]));
                files.writeRecord(DurableTasks.record(task.status(), null));
                files.writeResult(task.id(), new byte[500]);
                task.complete(null, new ImageInfo("png", 10, 10, 500), ExecutionMode.THREADS);
                finished.add(task);
            }
            assertEquals(TASKS, filesIn("tasks"), "records written");
            // The storage thread is busy and its queue full, as when uploads keep arriving.
            storage.execute(() -> awaitQuietly(busy));
            storage.execute(() -> { });

            clock.set(clock.instant().plusSeconds(61));
            tasks.sweep();
            finished.forEach(task -> assertTrue(tasks.find(task.id()).isEmpty(), "forgotten: " + task.id()));
            busy.countDown();

            // A file is deleted, then its bytes are given back: wait for both, as one CI run read in between.
            Await.until(Duration.ofSeconds(20), "every forgotten task's files deleted and their bytes given back",
                    () -> filesIn("tasks") + filesIn("uploads") + filesIn("results") == 0 && files.usedBytes() == 0);
        } finally {
            busy.countDown();
            timer.shutdownNow();
            storage.shutdown();
            storage.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readingAResultWhileTheStorageQueueIsFullIsOverloadedNotAFailure() throws Exception {
        ThreadPoolExecutor storage = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        TaskRegistry tasks = new TaskRegistry(Clock.systemUTC(), Duration.ofSeconds(60));
        CountDownLatch busy = new CountDownLatch(1);
        try (DataDirTaskStore files = DataDirTaskStore.open(dataDir, 1L << 30)) {
            DurableTasks durable = new DurableTasks(files, tasks, null, storage, timer, Duration.ofMinutes(1));
            Task task = tasks.createDurable(1.0, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofMinutes(1));
            files.writeResult(task.id(), new byte[]{1, 2, 3});
            storage.execute(() -> awaitQuietly(busy));
            storage.execute(() -> { });

            FrontException refused = assertThrows(FrontException.class, () -> durable.readResult(task));
            assertEquals(ErrorCode.OVERLOADED, refused.code(), "a full queue is 503 with Retry-After, never a 500");
            busy.countDown();
            Await.until(Duration.ofSeconds(20), "the storage queue to drain", () -> storage.getQueue().isEmpty());
            assertArrayEquals(new byte[]{1, 2, 3}, durable.readResult(task).get(20, TimeUnit.SECONDS),
                    "once the queue has room the same read succeeds");
        } finally {
            busy.countDown();
            timer.shutdownNow();
            storage.shutdown();
            storage.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private long filesIn(String subdirectory) {
        try (Stream<Path> entries = Files.list(dataDir.resolve(subdirectory))) {
            return entries.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
