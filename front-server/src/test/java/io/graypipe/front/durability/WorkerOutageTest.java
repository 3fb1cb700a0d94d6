package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A front whose scale-worker is not there: /readyz says so, sync uploads get 503, async tasks wait. */
class WorkerOutageTest {
    private static final byte[] IMAGE = TestImages.write(TestImages.noisyPhoto(300, 200, 3), "png");

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void withoutAWorkerReadyzAndSyncUploadsAnswer503AndAsyncTasksWaitForOne() throws Exception {
        int port = freePort();
        Path token = Files.writeString(dir.resolve("token"), "outage-test-token\n");
        try (FrontProcess front = FrontProcess.builder().awaitReady(false).dataDir(dir.resolve("data"))
                .args("--worker", "127.0.0.1:" + port, "--worker-token-file", token.toString()).start()) {
            HttpResponse<byte[]> readyz = front.get("/readyz");
            assertEquals(503, readyz.statusCode());
            assertTrue(FrontProcess.json(readyz).get("reason").asText().contains("unreachable"),
                    () -> new String(readyz.body()));
            assertTrue(readyz.headers().firstValue("Retry-After").isPresent());

            HttpResponse<byte[]> sync = front.post("/process", IMAGE);
            assertEquals(503, sync.statusCode());
            assertEquals("worker_unavailable", FrontProcess.json(sync).get("error").get("code").asText());
            assertTrue(sync.headers().firstValue("Retry-After").isPresent());

            TaskLedger ledger = new TaskLedger();
            String waiting = ledger.submit(front, IMAGE);
            try (WorkerProcess worker = WorkerProcess.start(port, token, "-n", "1")) {
                Await.until(Duration.ofSeconds(20), "GET /readyz to answer 200", () -> front.readyzStatus() == 200);
                Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(25));
                assertEquals("done", finals.get(waiting).get("status").asText(), () -> finals.toString());
                assertEquals(200, front.post("/process", IMAGE).statusCode());
            }
        }
    }

    @Test
    @Timeout(60)
    void anAsyncTaskFailsWithACodeWhenNoWorkerComesBeforeItsDeadline() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "outage-test-token\n");
        try (FrontProcess front = FrontProcess.builder().awaitReady(false).dataDir(dir.resolve("data"))
                .args("--worker", "127.0.0.1:" + freePort(), "--worker-token-file", token.toString(),
                        "--request-timeout", "2").start()) {
            TaskLedger ledger = new TaskLedger();
            for (int i = 0; i < 3; i++) {
                ledger.submit(front, IMAGE);
            }
            Map<String, JsonNode> finals = ledger.awaitAllFinal(front, Duration.ofSeconds(20));
            assertEquals(0, TaskLedger.countDone(finals));
            finals.values().forEach(status ->
                    assertEquals("deadline_exceeded", status.get("error").get("code").asText(), status::toString));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
