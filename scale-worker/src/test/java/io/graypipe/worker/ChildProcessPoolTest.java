package io.graypipe.worker;

import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The child pool with real child JVMs: dispatch to idle children, replacement of a dead child, and retry. */
class ChildProcessPoolTest {
    private static final WorkerConfig CONFIG = new WorkerConfig("127.0.0.1", 0, 2, WorkerConfig.PoolMode.PROCESSES,
            16, 4, 256 << 20, Duration.ofSeconds(5), Duration.ofSeconds(5),
            "-Xms16m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", WorkerSecrets.fixed("t".getBytes(StandardCharsets.UTF_8)), null, null, null);

    private ChildProcessPool pool;

    @BeforeEach
    void start() throws Exception {
        pool = new ChildProcessPool(CONFIG);
        pool.start(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        pool.close();
    }

    private static ScaleRequest request(long id, int side, double factor) {
        byte[] pixels = new byte[side * side];
        new java.util.Random(id).nextBytes(pixels);
        int target = ScaleRequest.targetSize(side, factor);
        return ScaleRequest.scale(id, target, target, OutputFormat.PNG, 85, 60_000,
                new ImageData(PixelFormat.GRAY8, side, side, pixels));
    }

    private static ScaleResult result(CompletableFuture<Message> answer) throws Exception {
        return assertInstanceOf(ScaleResult.class, answer.get(60, TimeUnit.SECONDS));
    }

    @Test
    void requestsGoToIdleChildrenAndComeBackWithTheCallersIds() throws Exception {
        List<CompletableFuture<Message>> answers = new ArrayList<>();
        for (long id = 100; id < 106; id++) {
            answers.add(pool.submit(request(id, 64, 0.5)));
        }
        for (int i = 0; i < answers.size(); i++) {
            ScaleResult scaled = result(answers.get(i));
            assertEquals(100 + i, scaled.requestId(), "answers carry the caller's id, not the pool's");
            assertEquals(32, scaled.width());
        }
        ScalePool.PoolStatus status = pool.status();
        assertEquals(6, status.children().stream().mapToLong(c -> c.requests()).sum());
        assertTrue(status.children().stream().allMatch(c -> c.requests() > 0),
                "both idle children got work: " + status.children());
    }

    @Test
    void aKilledChildIsReplacedAndThePoolKeepsScaling() throws Exception {
        List<Long> before = pool.childPids();
        ProcessHandle.of(before.get(0)).orElseThrow().destroyForcibly();

        awaitUntil("the dead child to be replaced", () -> pool.status().alive() == 2 && pool.status().restarts() >= 1);
        List<Long> after = pool.childPids();
        assertEquals(2, after.size());
        assertNotEquals(before, after, "a new process took the dead one's slot");
        assertTrue(after.contains(before.get(1)), "the other child was left alone");
        assertEquals(7, result(pool.submit(request(7, 64, 0.5))).requestId());
    }

    @Test
    void theRequestOfAChildThatDiesIsRetriedOnAnother() throws Exception {
        // Big enough that the child is still working on it when it is killed.
        CompletableFuture<Message> answer = pool.submit(request(9, 4000, 1.0));
        awaitUntil("a child to take the request", () -> pool.status().busy() == 1);
        int busySlot = pool.status().children().get(0).busy() ? 0 : 1;
        ProcessHandle.of(pool.childPids().get(busySlot)).orElseThrow().destroyForcibly();

        Message message = answer.get(120, TimeUnit.SECONDS);
        assertInstanceOf(ScaleResult.class, message, () -> "retried, not failed: " + (message instanceof ErrorMessage
                ? ((ErrorMessage) message).code() + " " + ((ErrorMessage) message).message() : message));
        assertEquals(9, ((ScaleResult) message).requestId());
        assertTrue(pool.status().restarts() >= 1);
    }

    /** Polls {@code condition} until it holds, for at most 30 s. */
    private static void awaitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
