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

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The front killed or stopped with work under way: accepted tasks survive, and no process is left behind. */
class FrontLifecycleTest {
    private static final int TASKS = 16;
    private static byte[] image;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void makeImage() {
        image = TestImages.write(TestImages.noisyPhoto(1200, 900, 11), "png");
    }

    @Test
    @Timeout(90)
    void killNineThenRestartOnTheSameDataDirLosesNoAcceptedTask() throws Exception {
        TaskLedger ledger = new TaskLedger();
        String firstDone;
        List<ProcessHandle> tree;
        try (FrontProcess front = FrontProcess.builder().dataDir(dataDir).args("-n", "1").start()) {
            for (int i = 0; i < TASKS; i++) {
                ledger.submit(front, image);
            }
            firstDone = ledger.accepted().get(0);
            Await.until(Duration.ofSeconds(20), "the first task to be done", () ->
                    FrontProcess.json(front.get("/tasks/" + firstDone)).get("status").asText().equals("done"));
            tree = front.process().descendants().toList();
            front.kill9();
        }
        Await.until(Duration.ofSeconds(15), "the killed front's worker and children to exit",
                () -> tree.stream().noneMatch(ProcessHandle::isAlive));

        try (FrontProcess front = FrontProcess.builder().dataDir(dataDir).args("-n", "1").start()) {
            Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(60));
            assertEquals(TASKS, finals.size());
            assertEquals(TASKS, TaskLedger.countDone(finals), () -> "tasks failed after the restart: " + finals);
            for (String id : ledger.accepted()) {
                HttpResponse<byte[]> result = front.get("/tasks/" + id + "/result");
                assertEquals(200, result.statusCode(), () -> id + ": " + new String(result.body()));
                assertEquals(600, TestImages.decode(result.body()).getWidth());
            }
            try (Stream<Path> tmp = Files.list(dataDir.resolve("tmp"))) {
                assertEquals(0, tmp.count(), "half-written files left in tmp/");
            }
            // A done task's upload is deleted on the storage thread just after it turns done.
            Await.until(Duration.ofSeconds(10), "uploads of done tasks to be deleted", () -> {
                try (Stream<Path> uploads = Files.list(dataDir.resolve("uploads"))) {
                    return uploads.findAny().isEmpty();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    @Timeout(90)
    void sigtermAnswersSyncRequestsKeepsAsyncTasksLeavesNoProcessAndFreesThePort() throws Exception {
        TaskLedger ledger = new TaskLedger();
        int port;
        try (FrontProcess front = FrontProcess.builder().dataDir(dataDir)
                .args("-n", "1", "--shutdown-grace", "8").start()) {
            port = front.port();
            for (int i = 0; i < TASKS / 2; i++) {
                ledger.submit(front, image);
            }
            List<CompletableFuture<HttpResponse<byte[]>>> sync = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sync.add(CompletableFuture.supplyAsync(() -> front.post("/process?format=png", image)));
            }
            List<ProcessHandle> tree = front.process().descendants().toList();
            assertTrue(tree.size() >= 2, "a worker and its child expected under the front: " + tree);
            Await.until(Duration.ofSeconds(20), "the sync requests to be under way", () ->
                    FrontProcess.json(front.get("/tasks/" + ledger.accepted().get(0))).get("status").asText()
                            .equals("done"));

            front.terminate();
            for (CompletableFuture<HttpResponse<byte[]>> request : sync) {
                int status = request.join().statusCode();
                assertTrue(status == 200 || status == 503, "a sync request in flight got " + status);
            }
            assertTrue(front.awaitExit(Duration.ofSeconds(20)), "the front did not exit: " + front.output());
            Await.until(Duration.ofSeconds(15), "every process of the front to exit",
                    () -> tree.stream().noneMatch(ProcessHandle::isAlive));
        }

        try (FrontProcess front = FrontProcess.builder().port(port).dataDir(dataDir).args("-n", "1").start()) {
            assertEquals(port, front.port());
            Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(60));
            assertEquals(TASKS / 2, finals.size());
            assertEquals(TASKS / 2, TaskLedger.countDone(finals), () -> "tasks failed after the restart: " + finals);
        }
    }
}
