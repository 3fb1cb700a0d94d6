package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Killing the processes that scale, under load, loses no accepted task. */
class WorkerFailureTest {
    private static final int TASKS = 24;
    private static byte[] image;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void makeImage() {
        image = TestImages.write(TestImages.noisyPhoto(1200, 900, 7), "png");
    }

    @Test
    @Timeout(180)
    void killingAChildUnderLoadLosesNothingAndRestoresThePool() throws Exception {
        try (FrontProcess front = FrontProcess.builder().dataDir(dataDir).args("-n", "2").start()) {
            Await.until(Duration.ofSeconds(20), "two children", () -> front.children().size() == 2);
            TaskLedger ledger = new TaskLedger();
            ProcessHandle victim = null;
            for (int i = 0; i < TASKS; i++) {
                ledger.submit(front, image);
                if (i == TASKS / 3) {
                    victim = front.children().get(0);
                    victim.destroyForcibly();
                }
            }
            Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(45));

            assertEquals(TASKS, finals.size());
            assertEquals(TASKS, TaskLedger.countDone(finals), () -> "a retried task failed: " + finals);
            ProcessHandle killed = victim;
            Await.until(Duration.ofSeconds(20), "the pool to have two live children again",
                    () -> front.children().size() == 2 && !front.children().contains(killed));
        }
    }

    @Test
    @Timeout(180)
    void killingTheWorkerUnderLoadLosesNothingAndReadyzTellsTheTruth() throws Exception {
        try (FrontProcess front = FrontProcess.builder().dataDir(dataDir).args("-n", "2").start()) {
            Await.until(Duration.ofSeconds(20), "two children", () -> front.children().size() == 2);
            ProcessHandle worker = front.workers().get(0);
            List<ProcessHandle> oldChildren = front.children();
            TaskLedger ledger = new TaskLedger();
            for (int i = 0; i < TASKS; i++) {
                ledger.submit(front, image);
                if (i == TASKS / 3) {
                    worker.destroyForcibly();
                    Await.until(Duration.ofSeconds(5), "GET /readyz to answer 503", () -> front.readyzStatus() == 503);
                }
            }
            Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(45));

            assertEquals(TASKS, finals.size());
            assertEquals(TASKS, TaskLedger.countDone(finals), () -> "a resent task failed: " + finals);
            assertEquals(200, front.readyzStatus());
            assertNotEquals(worker.pid(), front.workers().get(0).pid());
            Await.until(Duration.ofSeconds(10), "the dead worker's children to exit",
                    () -> oldChildren.stream().noneMatch(ProcessHandle::isAlive));
            assertFalse(worker.isAlive());
        }
    }
}
