package io.graypipe.front.task;

import io.graypipe.front.testing.SettableClock;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch that runs longer than the result TTL: its first results must still be there for its archive until the
 * TTL after the batch finished, while a task outside any batch goes after its own TTL.
 */
class BatchRetentionTest {
    private static final Duration TTL = Duration.ofSeconds(60);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-08T00:00:00Z"));
    private final TaskRegistry tasks = new TaskRegistry(clock, TTL);
    private final BatchStore batches = new BatchStore(clock, TTL);

    @Test
    void aBatchKeepsItsMembersAndTheirResultsUntilTheTtlAfterItFinished() {
        Batch batch = batches.open();
        Task early = task();
        Task late = task();
        Task alone = task();
        batch.add(new Batch.Member(early, "early.jpg", "gray", null));
        batch.add(new Batch.Member(late, "late.jpg", "gray", null));
        batch.close();
        early.complete(new byte[] {1}, new ImageInfo("jpeg", 1, 1, 1), ExecutionMode.THREADS);
        alone.complete(new byte[] {2}, new ImageInfo("jpeg", 1, 1, 1), ExecutionMode.THREADS);

        pass(Duration.ofSeconds(90));
        assertTrue(tasks.find(alone.id()).isEmpty(), "a task in no batch goes after its TTL");
        assertTrue(tasks.find(early.id()).isPresent(), "a member outlives its TTL while its batch runs");
        assertArrayEquals(new byte[] {1}, early.result(), "and so does its result");

        late.complete(new byte[] {3}, new ImageInfo("jpeg", 1, 1, 1), ExecutionMode.THREADS);
        pass(Duration.ofSeconds(59));
        assertTrue(tasks.find(early.id()).isPresent(), "kept until the TTL after the batch finished");
        assertTrue(batches.find(batch.id()).isPresent(), "the batch too");

        pass(Duration.ofSeconds(2));
        assertTrue(batches.find(batch.id()).isEmpty(), "the batch goes the TTL after it finished");
        assertTrue(tasks.find(early.id()).isEmpty(), "and its members with it");
        assertTrue(tasks.find(late.id()).isEmpty(), "every one of them");
    }

    private Task task() {
        return tasks.create(1.0, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofMinutes(5));
    }

    /** Moves the clock on and runs both sweeps, batches first, as the front's housekeeping does. */
    private void pass(Duration time) {
        clock.set(clock.instant().plus(time));
        batches.sweep();
        tasks.sweep();
    }
}
