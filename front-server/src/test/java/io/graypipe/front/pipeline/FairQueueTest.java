package io.graypipe.front.pipeline;

import io.graypipe.front.task.ClientId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gray executor's queue on a real one-thread executor: who is served next, and who is refused. */
class FairQueueTest {
    private static final ClientId A = new ClientId("a", "-", 1);
    private static final ClientId B = new ClientId("b", "-", 1);
    private static final long BIG = FairQueue.QUANTUM;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private ThreadPoolExecutor executor;

    private ThreadPoolExecutor start(int capacity, int perClient, boolean fifo) {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new FairQueue(capacity, perClient, fifo, (client, nanos) -> { }));
        // Holds the one thread until everything is queued.
        executor.execute(new ClientWork(ClientId.UNKNOWN, 1, () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return executor;
    }

    private ClientWork work(ClientId client, int n, long cost) {
        return new ClientWork(client, cost, () -> ran.add(client.name() + n));
    }

    private List<String> runAll() throws InterruptedException {
        gate.countDown();
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        return ran;
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aClientThatArrivesLateWaitsForOneItemOfTheBusyOneNotAll() throws Exception {
        start(64, 64, false);
        for (int i = 1; i <= 6; i++) {
            executor.execute(work(A, i, BIG));
        }
        executor.execute(work(B, 1, BIG));
        executor.execute(work(B, 2, BIG));
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3", "a4", "a5", "a6"), runAll());
    }

    @Test
    void firstComeFirstServedForComparison() throws Exception {
        start(64, 64, true);
        for (int i = 1; i <= 3; i++) {
            executor.execute(work(A, i, BIG));
        }
        executor.execute(work(B, 1, BIG));
        assertEquals(List.of("a1", "a2", "a3", "b1"), runAll());
    }

    @Test
    void cheapItemsGoSeveralToATurnAndWeightBuysMoreTurns() throws Exception {
        ClientId heavy = new ClientId("h", "-", 2);
        start(64, 64, false);
        for (int i = 1; i <= 4; i++) {
            executor.execute(work(heavy, i, BIG));
        }
        for (int i = 1; i <= 4; i++) {
            executor.execute(work(B, i, BIG / 2));
        }
        // Per round: the weight-2 client spends 2 quanta (two big items), the other one quantum (two half items).
        assertEquals(List.of("h1", "h2", "b1", "b2", "h3", "h4", "b3", "b4"), runAll());
    }

    @Test
    void pastItsCapOnlyThatClientIsRefusedAndTheWholeQueueIsBounded() throws Exception {
        start(4, 2, false);
        executor.execute(work(A, 1, 1));
        executor.execute(work(A, 2, 1));
        assertThrows(RejectedExecutionException.class, () -> executor.execute(work(A, 3, 1)));
        executor.execute(work(B, 1, 1));
        executor.execute(work(new ClientId("c", "-", 1), 1, 1));
        assertThrows(RejectedExecutionException.class, () -> executor.execute(work(B, 2, 1)), "4 queued: full");
        // Tiny items: one quantum covers both of a's in its turn.
        assertEquals(List.of("a1", "a2", "b1", "c1"), runAll());
    }
}
