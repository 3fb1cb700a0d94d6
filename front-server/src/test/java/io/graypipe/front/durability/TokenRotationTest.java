package io.graypipe.front.durability;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TcpRelay;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerHandshakes;
import io.graypipe.front.testing.WorkerProcess;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.Hello;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker-link secret rotated under load, as docs/scale-out.md's runbook does it, with no restart and no failed
 * request: the workers accept the new secret and the previous one, the front's token file changes and its next
 * connections use the new one, then the workers stop accepting the previous one. Each step cuts the front's
 * connections (one worker at a time, through a relay) so the handshake really runs with the secret of that step.
 */
class TokenRotationTest {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String OLD = "rotation-test-old-secret";
    private static final String NEW = "rotation-test-new-secret";

    @TempDir
    Path dir;

    @Test
    void theSecretIsRotatedUnderLoadWithoutFailingARequest() throws Exception {
        Path workerToken = replace(dir.resolve("worker.token"), OLD);
        Path workerPrevious = dir.resolve("worker.previous-token");
        Path frontToken = replace(dir.resolve("front.token"), OLD);
        String[] workerArgs = {"-n", "1", "--previous-token-file", workerPrevious.toString()};
        try (WorkerProcess a = WorkerProcess.start(0, workerToken, workerArgs);
             WorkerProcess b = WorkerProcess.start(0, workerToken, workerArgs);
             TcpRelay toA = TcpRelay.start(a.address());
             TcpRelay toB = TcpRelay.start(b.address());
             FrontProcess front = FrontProcess.builder().args("--worker", toA.address(), "--worker", toB.address(),
                     "--worker-token-file", frontToken.toString()).start()) {
            Load load = new Load(front);
            try {
                load.awaitMore(10);

                // 1. Every worker accepts the new secret, and the old one as the previous.
                replace(workerPrevious, OLD);
                replace(workerToken, NEW);
                for (WorkerProcess worker : List.of(a, b)) {
                    Await.until(STEP, "the worker to accept both secrets",
                            () -> worker.output().contains("accepting the current secret and the previous one"));
                }
                reconnect(toA, a, load, true);

                // 2. The front's token file changes; its next connections present the new secret.
                replace(frontToken, NEW);
                Await.until(STEP, "the front to read its new token file",
                        () -> front.output().contains("worker token file " + frontToken + " changed"));
                reconnect(toA, a, load, false);
                reconnect(toB, b, load, false);

                // 3. The previous secret is retired; the old one opens no connection any more, the new one does.
                replace(workerPrevious, "");
                for (WorkerProcess worker : List.of(a, b)) {
                    Await.until(STEP, "the worker to accept the current secret only",
                            () -> worker.output().contains("accepting the current secret only"));
                }
                reconnect(toB, b, load, false);
                assertRefused(a, OLD);
                load.awaitMore(10);
            } finally {
                load.stop();
            }
            assertEquals(Map.of(200, load.count(200)), load.statuses(), "every request answered 200");
            assertTrue(load.count(200) >= 40, "requests kept flowing: " + load.statuses());
        }
    }

    /**
     * Cuts the front's connection to one worker and waits until it is back, handshaken with the previous secret
     * or not; the other worker serves meanwhile, so no request waits for a worker.
     */
    private static void reconnect(TcpRelay relay, WorkerProcess worker, Load load, boolean previousSecret) {
        long before = connections(worker);
        relay.dropConnections();
        Await.until(STEP, "the front to reconnect", () -> connections(worker) > before);
        List<String> connected = worker.output().lines().filter(line -> line.contains("connected")).toList();
        String last = connected.get(connected.size() - 1);
        assertEquals(previousSecret, last.contains("previous secret"), last);
        load.awaitMore(5);
    }

    private static long connections(WorkerProcess worker) {
        return worker.output().lines().filter(line -> line.contains("INFO") && line.contains(" connected")).count();
    }

    /** A handshake made with {@code secret} is refused with UNAUTHORIZED. */
    private static void assertRefused(WorkerProcess worker, String secret) throws IOException {
        try (Socket socket = new Socket(worker.address().getAddress(), worker.address().getPort())) {
            socket.setSoTimeout(10_000);
            Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
            Hello theirs = WorkerHandshakes.sendHello(socket, ours);
            FrameStreams.write(socket.getOutputStream(), Handshake.proof(secret.getBytes(StandardCharsets.UTF_8),
                    Hello.Role.FRONT, ours, theirs));
            WorkerHandshakes.assertRefused(socket);
        }
    }

    /** As an operator replaces a secret: a new file renamed over the old one, so it is never seen half written. */
    private static Path replace(Path file, String secret) throws IOException {
        Path temporary = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), secret + "\n");
        return Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Two clients sending sync uploads back to back, counting every answer by status. */
    private static final class Load {
        private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService clients = Executors.newFixedThreadPool(2);

        Load(FrontProcess front) {
            byte[] image = TestImages.png(320, 240);
            for (int i = 0; i < 2; i++) {
                clients.submit(() -> {
                    while (running.get()) {
                        int status;
                        try {
                            HttpResponse<byte[]> answer = front.post("/process?scale=0.5", image);
                            status = answer.statusCode();
                        } catch (RuntimeException e) {
                            status = -1;
                        }
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    }
                });
            }
        }

        void awaitMore(int answers) {
            int target = total() + answers;
            Await.until(STEP, answers + " more answers", () -> total() >= target);
        }

        int total() {
            return statuses.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        int count(int status) {
            AtomicInteger n = statuses.get(status);
            return n == null ? 0 : n.get();
        }

        Map<Integer, Integer> statuses() {
            Map<Integer, Integer> copy = new java.util.TreeMap<>();
            statuses.forEach((status, n) -> copy.put(status, n.get()));
            return copy;
        }

        void stop() throws InterruptedException {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "the clients stopped");
            assertFalse(statuses.isEmpty());
        }
    }
}
