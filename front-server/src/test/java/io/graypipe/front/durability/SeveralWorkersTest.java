package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Signals;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One front, two standalone workers ({@code --worker A --worker B}): the load spreads over both, {@code kill -9} of
 * one holding requests loses no accepted request, async or sync (its unanswered requests move to the other), and
 * the killed one, started again on its port, rejoins the rotation.
 */
class SeveralWorkersTest {
    private static final byte[] IMAGE = TestImages.write(TestImages.noisyPhoto(1200, 900, 11), "png");
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void loadSpreadsAKilledWorkersRequestsMoveAndItRejoinsWhenBack() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "several-workers-test-token\n");
        WorkerProcess first = WorkerProcess.start(0, token, "-n", "1", "--mode", "threads");
        try (WorkerProcess second = WorkerProcess.start(0, token, "-n", "1", "--mode", "threads")) {
            int firstPort = first.address().getPort();
            String a = "127.0.0.1:" + firstPort;
            String b = "127.0.0.1:" + second.address().getPort();
            try (FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data"))
                    .args("--worker", a, "--worker", b, "--worker-token-file", token.toString(),
                            "--request-timeout", "90s", "--worker-in-flight", "6").start()) {
                assertTrue(front.workers().isEmpty(), "with --worker the front starts no worker of its own");

                TaskLedger spread = new TaskLedger();
                for (int i = 0; i < 12; i++) {
                    spread.submit(front, IMAGE);
                }
                assertEquals(12, TaskLedger.countDone(spread.awaitAllFinal(front, WAIT)));
                long aBefore = front.workerStats(a).get("dispatched").asLong();
                long bBefore = front.workerStats(b).get("dispatched").asLong();
                assertTrue(aBefore > 0 && bBefore > 0, "both workers took requests: A " + aBefore + ", B " + bBefore);

                // Frozen first, so that the requests it is given are certainly unanswered when it dies.
                Signals.send("STOP", first.process().toHandle());
                TaskLedger underLoad = new TaskLedger();
                List<CompletableFuture<HttpResponse<byte[]>>> sync = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    underLoad.submit(front, IMAGE);
                    if (i % 5 == 0) {
                        sync.add(front.http().sendAsync(HttpRequest.newBuilder(front.uri("/process?scale=0.5"))
                                .header("Content-Type", "image/png").timeout(WAIT)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(IMAGE)).build(),
                                HttpResponse.BodyHandlers.ofByteArray()));
                    }
                }
                Await.until(WAIT, "frozen worker A to hold requests",
                        () -> front.workerStats(a).get("in_flight").asInt() > 0);
                first.process().destroyForcibly();
                assertTrue(first.awaitExit(Duration.ofSeconds(10)));
                first.close();

                Map<String, JsonNode> finals = underLoad.awaitAllFinal(front, WAIT);
                assertEquals(30, TaskLedger.countDone(finals), () -> "every accepted task is done: " + finals);
                for (CompletableFuture<HttpResponse<byte[]>> answer : sync) {
                    HttpResponse<byte[]> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertEquals(200, response.statusCode(), () -> "every sync request is answered with its image: "
                            + new String(response.body(), StandardCharsets.UTF_8));
                    assertEquals(600, TestImages.decode(response.body()).getWidth());
                }
                JsonNode lost = front.workerStats(a);
                assertFalse(lost.get("connected").asBoolean());
                assertEquals(1, lost.get("failures").asInt(), lost::toString);
                long bAfter = front.workerStats(b).get("dispatched").asLong();
                long aAfter = lost.get("dispatched").asLong();
                assertTrue(bAfter - bBefore > 30 - (aAfter - aBefore),
                        "B was given A's unanswered requests as well as its own share (B +" + (bAfter - bBefore)
                                + ", A +" + (aAfter - aBefore) + ", of 30)");
                assertEquals(200, front.readyzStatus(), "one worker left is enough for /readyz");

                first = WorkerProcess.start(firstPort, token, "-n", "1", "--mode", "threads");
                Await.until(WAIT, "worker A to rejoin", () -> front.workerStats(a).get("connected").asBoolean());
                TaskLedger rejoined = new TaskLedger();
                for (int i = 0; i < 12; i++) {
                    rejoined.submit(front, IMAGE);
                }
                assertEquals(12, TaskLedger.countDone(rejoined.awaitAllFinal(front, WAIT)));
                assertTrue(front.workerStats(a).get("dispatched").asLong() > aAfter, "A is back in rotation");
            }
        } finally {
            first.close();
        }
    }

}
