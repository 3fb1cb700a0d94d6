package io.graypipe.front.net;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker named by host name ({@code --worker HOST:PORT}) is found through Netty's DNS resolver, which reads
 * {@code /etc/hosts} before asking a name server; a name that resolves to nothing leaves that worker unreachable,
 * with the resolver's answer as the reason, and the front serves with the others.
 */
class WorkerHostNameTest {
    private static final byte[] IMAGE = TestImages.write(TestImages.noisyPhoto(300, 200, 7), "png");
    private static final String NOWHERE = "no-such-worker.invalid:9";

    @TempDir
    Path dir;

    @Test
    @Timeout(90)
    void aWorkerNamedLocalhostIsConnectedAndAnUnknownNameSaysItCannotBeResolved() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "host-name-test-token\n");
        try (WorkerProcess worker = WorkerProcess.start(0, token, "-n", "1")) {
            String named = "localhost:" + worker.address().getPort();
            try (FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data"))
                    .args("--worker", named, "--worker", NOWHERE, "--worker-token-file", token.toString()).start()) {
                assertTrue(front.workerStats(named).get("connected").asBoolean(), front::output);
                assertFalse(front.workerStats(NOWHERE).get("connected").asBoolean(), front::output);
                HttpResponse<byte[]> scaled = front.post("/process?scale=0.5", IMAGE);
                assertEquals(200, scaled.statusCode(), () -> new String(scaled.body()));
            }
        }
        try (FrontProcess alone = FrontProcess.builder().awaitReady(false).dataDir(dir.resolve("data2"))
                .args("--worker", NOWHERE, "--worker-token-file", token.toString()).start()) {
            Await.until(Duration.ofSeconds(60), "/readyz to say the name cannot be resolved", () -> {
                HttpResponse<byte[]> readyz = alone.get("/readyz");
                return readyz.statusCode() == 503 && FrontProcess.json(readyz).get("reason").asText()
                        .contains("Failed to resolve 'no-such-worker.invalid'");
            });
        }
    }
}
