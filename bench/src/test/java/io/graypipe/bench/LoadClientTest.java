package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the load client against a real in-process HTTP server that plays the front's API. */
class LoadClientTest {
    private static final byte[] SCALED = "scaled-image-bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;
    private HttpServer server;
    private ExecutorService serverThreads;
    private URI baseUrl;
    private Path image;
    private byte[] imageBytes;

    @BeforeEach
    void start() throws IOException {
        // The JDK server writes headers and body separately; without this, Nagle plus delayed ACKs add 40 ms a
        // request, which would hide whether the client itself is fast.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        serverThreads = Executors.newFixedThreadPool(16);
        server.setExecutor(serverThreads);
        server.start();
        baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        imageBytes = new byte[50_000];
        Arrays.fill(imageBytes, (byte) 7);
        imageBytes[0] = (byte) 0xFF; // JPEG SOI
        imageBytes[1] = (byte) 0xD8;
        image = temp.resolve("in.jpg");
        Files.write(image, imageBytes);
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop(0);
        serverThreads.shutdownNow();
        assertTrue(serverThreads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private LoadResult runCli(String... args) throws IOException {
        Path json = temp.resolve("result-" + System.nanoTime() + ".json");
        String[] all = new String[args.length + 4];
        all[0] = "load";
        all[1] = baseUrl.toString();
        all[2] = image.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        all[all.length - 1] = "--json=" + json;
        int exit = new CommandLine(new BenchMain()).execute(all);
        assertEquals(0, exit);
        return LoadClient.JSON.readValue(json.toFile(), LoadResult.class);
    }

    @Test
    void syncModeSendsRawBodiesCountsWarmupApartAndErrorsByStatus() throws IOException {
        AtomicInteger arrivals = new AtomicInteger();
        List<String> problems = new CopyOnWriteArrayList<>();
        server.createContext("/process", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!Arrays.equals(imageBytes, body)) {
                problems.add("body of " + body.length + " bytes");
            }
            if (!"image/jpeg".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                problems.add("content type " + exchange.getRequestHeaders().getFirst("Content-Type"));
            }
            if (!"scale=0.25&format=png&quality=70&cache=off".equals(exchange.getRequestURI().getQuery())) {
                problems.add("query " + exchange.getRequestURI().getQuery());
            }
            int arrival = arrivals.incrementAndGet();
            if (arrival % 10 != 0) {
                // Every third answer went through one more stage, as a miss does past a hit.
                exchange.getResponseHeaders().add("Server-Timing", arrival % 3 == 0
                        ? "queue;dur=1.500, cache;desc=miss;dur=0.250, gray;dur=3.000, scale;dur=2.000"
                        : "queue;dur=1.500, cache;desc=hit;dur=0.250");
            }
            respond(exchange, arrival % 10 == 0 ? 503 : 200, arrival % 10 == 0 ? new byte[0] : SCALED);
        });

        // One client, so arrival order is issue order: arrivals 1-5 are warm-up, 6-45 measured, of which
        // 10, 20, 30 and 40 are answered 503.
        LoadResult result = runCli("--scale=0.25", "--format=png", "--quality=70", "--warmup=0",
                "--warmup-requests=5", "--requests=40", "--name=sync-test", "--tag=worker_mode=none");

        assertEquals(List.of(), problems);
        assertEquals(45, arrivals.get());
        assertEquals(5, result.warmupRequests());
        assertEquals(40, result.measured());
        assertEquals(36, result.succeeded());
        assertEquals(Map.of("503", 4L), result.errors());
        assertEquals(40, result.latencyMillis().count());
        assertTrue(result.latencyMillis().p50() > 0);
        assertTrue(result.latencyMillis().max() >= result.latencyMillis().p99());
        assertTrue(result.imagesPerSecond() > 0);
        assertEquals("sync-test", result.scenario());
        assertEquals(Map.of("worker_mode", "none"), result.tags());
        assertNull(result.processes());

        // Measured successes: arrivals 6-45 but 10, 20, 30 and 40; 13 of those 36 are multiples of 3.
        ServerTimings.Summary timing = result.serverTimingMillis();
        assertEquals(36, timing.requests());
        assertEquals(List.of("queue", "cache", "gray", "scale"), List.copyOf(timing.stages().keySet()));
        assertEquals(new ServerTimings.Stage(1.5, 1.5), timing.stages().get("queue"));
        assertEquals(13 * 3.0 / 36, timing.stages().get("gray").mean(), 1e-9);
        assertEquals(0, timing.stages().get("gray").p50(), "most answers had no gray stage");
        ServerTimings.Band median = timing.aroundMedian();
        assertTrue(median.requests() >= 1 && median.requests() <= 36, median.toString());
        assertEquals(median.latency() - median.stages().values().stream().mapToDouble(Double::doubleValue).sum(),
                median.remainder(), 1e-9);
        ServerTimings.Band tail = timing.tail();
        assertTrue(tail.requests() >= 1 && tail.requests() <= 2, "p98 and above of 36 answers: " + tail);
        assertTrue(tail.latency() >= median.latency(), "the tail is slower than the median: " + tail + " " + median);
    }

    @Test
    void clientsRunConcurrentlyOverKeptAliveConnections() throws IOException {
        int clients = 4;
        // The first four requests only complete once all four are in the server at the same time.
        CyclicBarrier allInFlight = new CyclicBarrier(clients);
        AtomicInteger arrivals = new AtomicInteger();
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        server.createContext("/process", exchange -> {
            exchange.getRequestBody().readAllBytes();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            if (arrivals.incrementAndGet() <= clients) {
                try {
                    allInFlight.await(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    respond(exchange, 500, new byte[0]);
                    return;
                }
            }
            respond(exchange, 200, SCALED);
        });

        LoadResult result = runCli("-c", "4", "--warmup=0", "--requests=200");

        assertEquals(Map.of(), result.errors());
        assertEquals(200, result.succeeded());
        assertEquals(200, arrivals.get());
        assertTrue(clientPorts.size() <= clients, "connections opened: " + clientPorts.size());
        assertTrue(result.windowImages() > 0);
        assertEquals(SCALED.length * (double) result.windowImages() / 1e6 / result.windowSeconds(),
                result.megabytesOutPerSecond(), 1e-9);
    }

    @Test
    void asyncModeSubmitsPollsAndFetchesResults() throws IOException {
        AtomicInteger tasks = new AtomicInteger();
        Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
        AtomicInteger resultsFetched = new AtomicInteger();
        server.createContext("/tasks", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST") && path.equals("/tasks")) {
                exchange.getRequestBody().readAllBytes();
                String id = "t" + tasks.incrementAndGet();
                polls.put(id, new AtomicInteger());
                JsonNode body = LoadClient.JSON.createObjectNode().put("id", id).put("status", "queued")
                        .put("status_url", "/tasks/" + id).put("result_url", "/tasks/" + id + "/result");
                respond(exchange, 202, LoadClient.JSON.writeValueAsBytes(body));
            } else if (path.endsWith("/result")) {
                resultsFetched.incrementAndGet();
                respond(exchange, 200, SCALED);
            } else {
                String id = path.substring("/tasks/".length());
                // Each task is seen running once, then done; the third task fails instead.
                int poll = polls.get(id).incrementAndGet();
                String status = poll == 1 ? "running" : id.equals("t3") ? "failed" : "done";
                respond(exchange, 200, LoadClient.JSON.writeValueAsBytes(
                        LoadClient.JSON.createObjectNode().put("id", id).put("status", status)));
            }
        });

        LoadResult result = runCli("--mode=async", "--warmup=0", "--requests=6", "--poll-ms=1");

        assertEquals(6, tasks.get());
        assertEquals(5, resultsFetched.get());
        assertEquals(5, result.succeeded());
        assertEquals(Map.of("task failed", 1L), result.errors());
        polls.values().forEach(count -> assertEquals(2, count.get()));
        assertEquals("async", result.mode());
    }

    @Test
    void durationModeStopsByItselfAndSamplesTheServerProcessTree() throws IOException {
        server.createContext("/process", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 200, SCALED);
        });

        // The "server" process tree is this test JVM: it serves the requests, so it burns the CPU measured.
        LoadResult result = runCli("-c", "2", "--warmup=0.2", "--duration=0.5",
                "--pid=" + ProcessHandle.current().pid());

        assertTrue(result.windowSeconds() >= 0.5 && result.windowSeconds() < 10, "window " + result.windowSeconds());
        assertTrue(result.warmupRequests() > 0);
        assertTrue(result.measured() > 0);
        assertTrue(result.windowImages() > 0);
        assertTrue(result.processes().peakTotalRssBytes() > 10 << 20);
        assertTrue(result.processes().samples() >= 2);
        assertTrue(result.serverCpuSeconds() > 0, "cpu " + result.serverCpuSeconds());
        assertFalse(result.processes().processes().isEmpty());
        assertEquals(ProcessHandle.current().pid(), result.processes().processes().get(0).pid());
    }

    @Test
    void chunkedAnswersAreReadWholeAndTheApiKeyIsSent() throws IOException {
        List<String> problems = new CopyOnWriteArrayList<>();
        byte[] answer = new byte[300_000]; // longer than the client's read buffer, in several chunks
        Arrays.fill(answer, (byte) 3);
        server.createContext("/process", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (!"Bearer k-1".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                problems.add("authorization " + exchange.getRequestHeaders().getFirst("Authorization"));
            }
            exchange.sendResponseHeaders(200, 0); // 0: Transfer-Encoding: chunked, as Node's server answers
            for (int at = 0; at < answer.length; at += 70_000) {
                exchange.getResponseBody().write(answer, at, Math.min(70_000, answer.length - at));
                exchange.getResponseBody().flush();
            }
            exchange.close();
        });

        LoadResult result = runCli("--warmup=0", "--requests=20", "--api-key=k-1");

        assertEquals(List.of(), problems);
        assertEquals(Map.of(), result.errors());
        assertEquals(20, result.succeeded());
        assertEquals(answer.length * (double) result.windowImages() / 1e6 / result.windowSeconds(),
                result.megabytesOutPerSecond(), 1e-9);
    }

    @Test
    void anAnswerLaterThanTheTimeoutCountsAsATimeoutAndTheNextRequestGetsANewConnection() throws IOException {
        AtomicInteger arrivals = new AtomicInteger();
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        server.createContext("/process", exchange -> {
            exchange.getRequestBody().readAllBytes();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            if (arrivals.incrementAndGet() == 1) {
                try {
                    Thread.sleep(3_000); // far past the client's 0.3 s
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            respond(exchange, 200, SCALED);
        });

        LoadResult result = runCli("--warmup=0", "--requests=3", "--timeout=0.3");

        assertEquals(Map.of("timeout", 1L), result.errors());
        assertEquals(2, result.succeeded());
        assertEquals(2, clientPorts.size(), "the timed-out connection is closed, the next one reused");
    }
}
