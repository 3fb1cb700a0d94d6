package io.graypipe.front.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.graypipe.front.http.RawHttp.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Floods (issue 15): thousands of idle connections, slowloris clients, a thousand event-stream subscribers. The
 * flood runs on one test thread ({@link NioFlood}); meanwhile a normal client asks {@code /healthz} again and
 * again and uploads an image, and must be answered throughout. Latencies are measured and logged, never asserted
 * against a number of milliseconds (the machine is shared): the assertion is that every probe is answered, within
 * a generous socket timeout.
 */
class FloodHttpTest {
    private static final Logger log = LoggerFactory.getLogger(FloodHttpTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEALTH = ascii("GET /healthz HTTP/1.1\r\nHost: graypipe\r\n\r\n");
    private static final Duration FLOOD_DEADLINE = Duration.ofSeconds(120);
    private static final int IDLE_FLOOD = 10_000;
    private static final int MAX_CONNECTIONS = 1_000;

    @Test
    void pastMaxConnectionsIdleConnectionsAreRefusedAtOnceWhileHealthzAndUploadsAreServed() throws Exception {
        // Both ends of every connection live in this JVM: the flood's sockets plus the front's accepted ones.
        int flood = Math.min(IDLE_FLOOD, (int) openFilesLimit() - MAX_CONNECTIONS - 2_000);
        // A long --read-timeout: every close the flood sees is the cap's, and the held uploader connection waits.
        try (TestFront front = TestFront.builder().maxConnections(MAX_CONNECTIONS).readTimeout(Duration.ofMinutes(5))
                .start();
             RawHttp health = new RawHttp(front.address());
             RawHttp uploader = new RawHttp(front.address());
             NioFlood idle = new NioFlood(front.address())) {
            // The normal client connected first: it holds two of the places the flood then fills.
            Probe probe = Probe.start(health, uploader);
            idle.open(flood, new byte[0]);
            int admitted = MAX_CONNECTIONS - 2;
            Await.until(FLOOD_DEADLINE, "every idle connection past the cap to be closed by the front", () -> {
                idle.pump(20);
                return idle.allConnected() && idle.closedByServer() >= flood - admitted;
            });
            List<Long> refusals = idle.connections().stream().filter(NioFlood.Connection::closedByServer)
                    .map(NioFlood.Connection::millisToClose).sorted().toList();
            idle.pump(200);
            probe.uploadOnce();
            Probe.Result result = probe.stop();
            log.info("idle flood: {} connections (open-files limit {}), --max-connections {}: {} held open, {} refused;"
                            + " refusal after connect: median {} ms, max {} ms; {}", flood, openFilesLimit(),
                    MAX_CONNECTIONS, idle.open(), idle.closedByServer(), percentile(refusals, 50),
                    percentile(refusals, 100), result);
            assertEquals(admitted, idle.open(), "the connections within the cap stay open");
            assertEquals(flood - admitted, idle.closedByServer(), "every connection past the cap is closed");
            result.assertServed();
        }
    }

    @Test
    void slowlorisClientsGet408AtTheReceiveDeadlineWhileHealthzAndUploadsAreServed() throws Exception {
        int clients = 500;
        try (TestFront front = TestFront.builder().receiveTimeout(Duration.ofSeconds(5)).start();
             NioFlood slow = new NioFlood(front.address())) {
            Probe probe = Probe.start(() -> new RawHttp(front.address()), () -> new RawHttp(front.address()));
            slow.open(clients, ascii("POST /process HTTP/1.1\r\nHost: graypipe\r\n"));
            // One header byte per second per client keeps --read-timeout (30 s) from firing: only the receive
            // deadline can end these requests.
            long[] lastTrickle = {System.nanoTime()};
            Await.until(FLOOD_DEADLINE, "every slowloris client to be answered and closed", () -> {
                slow.pump(20);
                if (System.nanoTime() - lastTrickle[0] > 1_000_000_000L) {
                    lastTrickle[0] = System.nanoTime();
                    slow.sendToAll(ascii("X"));
                }
                return slow.allConnected() && slow.closedByServer() == clients;
            });
            probe.uploadOnce();
            Probe.Result result = probe.stop();
            List<Long> closes = slow.connections().stream().map(NioFlood.Connection::millisToClose).sorted().toList();
            long timedOut = slow.connections().stream().filter(c -> c.received().startsWith("HTTP/1.1 408")).count();
            // A trickled byte that reaches the front after it answered and closed makes it reset the connection,
            // and the reset can discard the 408 before this client reads it: those see no answer at all.
            List<String> otherAnswers = slow.connections().stream().map(NioFlood.Connection::received)
                    .filter(received -> !received.isEmpty() && !received.startsWith("HTTP/1.1 408")).toList();
            log.info("slowloris: {} clients, --receive-timeout 5 s: all closed by the front, {} read their 408 (the"
                            + " rest were reset after it); closed after median {} ms, max {} ms; {}",
                    clients, timedOut, percentile(closes, 50), percentile(closes, 100), result);
            assertEquals(clients, slow.closedByServer(), "every trickling request is ended by the front");
            assertEquals(List.of(), otherAnswers, "the only answer to a trickling request is 408 request_timeout");
            assertTrue(timedOut > 0, "the trickling requests are answered 408");
            result.assertServed();
        }
    }

    @Test
    void aThousandEventStreamSubscribersAllSeeTheirTaskDoneWhileHealthzAndUploadsAreServed() throws Exception {
        int tasks = 10;
        int perTask = 100;
        try (TestFront front = TestFront.builder().start();
             NioFlood subscribers = new NioFlood(front.address())) {
            Probe probe = Probe.start(() -> new RawHttp(front.address()), () -> new RawHttp(front.address()));
            for (int t = 0; t < tasks; t++) {
                HttpResponse<String> created = front.post("/tasks?ops=blur:20,sharpen", new Multipart()
                        .file("image", "flood.png", "image/png", TestImages.png(1200, 900)));
                assertEquals(202, created.statusCode(), created.body());
                String id = JSON.readTree(created.body()).get("id").asText();
                subscribers.open(perTask, ascii("GET /tasks/" + id + "/events HTTP/1.1\r\nHost: graypipe\r\n"
                        + "Connection: close\r\n\r\n"));
            }
            AtomicInteger peak = new AtomicInteger();
            Await.until(FLOOD_DEADLINE, "every subscriber's stream to end", () -> {
                subscribers.pump(20);
                peak.accumulateAndGet((int) subscribers.open(), Math::max);
                return subscribers.allConnected() && subscribers.closedByServer() == tasks * perTask;
            });
            probe.uploadOnce();
            Probe.Result result = probe.stop();
            long sawDone = subscribers.connections().stream()
                    .filter(c -> c.received().contains("event: done\n"))
                    .count();
            log.info("event streams: {} subscribers on {} tasks, at most {} open at once; {} saw 'done'; {}",
                    tasks * perTask, tasks, peak.get(), sawDone, result);
            assertEquals(tasks * perTask, sawDone, "every subscriber sees its task done, then the stream ends");
            result.assertServed();
        }
    }

    /** The soft limit on open files of this JVM, from /proc/self/limits. */
    private static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no 'Max open files' in /proc/self/limits");
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    /**
     * The normal client: on its own thread, {@code GET /healthz} one after the other, each timed; and on demand
     * one synchronous upload. Connections come from suppliers: held ones (opened before a flood fills the cap) or
     * new ones per request.
     */
    private static final class Probe {
        private final Supplier<RawHttp> healthConnection;
        private final Supplier<RawHttp> uploadConnection;
        private final boolean fresh;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final List<Integer> uploads = Collections.synchronizedList(new ArrayList<>());
        private Thread thread;

        private Probe(Supplier<RawHttp> health, Supplier<RawHttp> upload, boolean fresh) {
            this.healthConnection = health;
            this.uploadConnection = upload;
            this.fresh = fresh;
        }

        /** A probe on two connections held open throughout. */
        static Probe start(RawHttp health, RawHttp upload) {
            return new Probe(() -> health, () -> upload, false).start();
        }

        /** A probe that opens a new connection for every request. */
        static Probe start(Supplier<RawHttp> health, Supplier<RawHttp> upload) {
            return new Probe(health, upload, true).start();
        }

        private Probe start() {
            thread = new Thread(this::run, "healthz-probe");
            thread.setDaemon(true);
            thread.start();
            return this;
        }

        private void run() {
            while (running.get()) {
                long start = System.nanoTime();
                RawHttp http = healthConnection.get();
                try {
                    http.write(HEALTH);
                    RawHttp.Response response = http.readResponse();
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                    if (response.status() != 200) {
                        failures.add("/healthz answered " + response);
                    }
                } catch (RuntimeException | AssertionError e) {
                    failures.add("/healthz failed: " + e);
                } finally {
                    if (fresh) {
                        http.close();
                    }
                }
            }
        }

        /** One synchronous upload, answered with the scaled image. */
        void uploadOnce() {
            String boundary = "flood-probe";
            byte[] body = RawHttp.concat(RawHttp.part(boundary, "image", "probe.png", TestImages.png(64, 48)),
                    RawHttp.part(boundary, "scale", null, ascii("0.5")), RawHttp.closing(boundary));
            RawHttp http = uploadConnection.get();
            try {
                http.write(RawHttp.post("/process", "multipart/form-data; boundary=" + boundary, body));
                uploads.add(http.readResponse().status());
            } catch (RuntimeException | AssertionError e) {
                failures.add("upload failed: " + e);
            } finally {
                if (fresh) {
                    http.close();
                }
            }
        }

        Result stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            List<Long> sorted;
            synchronized (latencies) {
                sorted = latencies.stream().sorted().toList();
            }
            return new Result(sorted, List.copyOf(failures), List.copyOf(uploads));
        }

        record Result(List<Long> healthMillis, List<String> failures, List<Integer> uploads) {
            void assertServed() {
                assertTrue(failures.isEmpty(), "the normal client was not served: " + failures);
                assertTrue(healthMillis.size() > 0, "/healthz was asked at least once during the flood");
                assertEquals(List.of(200), uploads, "the upload during the flood gets its 200");
            }

            @Override
            public String toString() {
                return "/healthz answered " + healthMillis.size() + " times during the flood: median "
                        + percentile(healthMillis, 50) + " ms, p99 " + percentile(healthMillis, 99) + " ms, max "
                        + percentile(healthMillis, 100) + " ms; uploads " + uploads + (failures.isEmpty() ? ""
                        : "; failures " + failures);
            }
        }
    }
}
