package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.Signals;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestImages;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several fronts sharing one Redis ({@code --store}), as real processes against a real redis-server: any front
 * serves any task, a killed front's tasks are finished by another, and Redis going away costs only async uploads:
 * the fronts stay in HAProxy's rotation and serve sync requests.
 */
class SharedStoreTest {
    private static final Duration FINISH = Duration.ofSeconds(240);
    /** The work queue's stream (docs/scale-out.md). */
    private static final String WORK = "{graypipe}:work";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();
    private RedisServer redis;

    @BeforeEach
    void startRedis() throws IOException {
        // Persistent as scripts/cluster runs it (docs/scale-out.md): an append-only file, fsynced every second.
        redis = RedisServer.builder().config("appendonly", "yes").config("appendfsync", "everysec").start();
        started.add(redis);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    /** A front on the shared Redis with a small local worker; claims abandoned work after 1 s. */
    private FrontProcess front(String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("--store", redis.uri(), "--claim-idle", "1s",
                "--worker-mode", "threads", "-n", "1"));
        args.addAll(List.of(more));
        FrontProcess front = FrontProcess.builder().args(args.toArray(String[]::new)).start();
        started.add(front);
        return front;
    }

    @Test
    void aTaskCreatedOnOneFrontIsPolledStreamedFetchedAndDeletedOnAnother() throws Exception {
        FrontProcess a = front();
        FrontProcess b = front();
        String id = new TaskLedger().submit(a, TestImages.png(640, 480));

        // Streamed on B from its first event; the client leaves after it and resumes with Last-Event-ID.
        String firstId;
        try (Stream<String> lines = http.send(events(b, "/tasks/" + id + "/events", null),
                HttpResponse.BodyHandlers.ofLines()).body()) {
            List<String[]> first = readEvents(lines.iterator(), 1);
            assertEquals("queued", first.get(0)[1]);
            firstId = first.get(0)[0];
        }
        HttpResponse<String> resumed = http.sendAsync(events(b, "/tasks/" + id + "/events", firstId),
                HttpResponse.BodyHandlers.ofString()).get(FINISH.toSeconds(), TimeUnit.SECONDS);
        List<String[]> rest = readEvents(resumed.body().lines().iterator(), Integer.MAX_VALUE);
        assertTrue(rest.stream().noneMatch(event -> event[1].equals("queued")), "resumed after queued: " + resumed.body());
        assertEquals("done", rest.get(rest.size() - 1)[1], resumed.body());
        assertTrue(rest.stream().noneMatch(event -> event[0] == null || event[0].equals(firstId)),
                "every event has an id, and the one resumed after is not sent again: " + resumed.body());

        JsonNode status = FrontProcess.json(b.get("/tasks/" + id));
        assertEquals("done", status.get("status").asText());
        HttpResponse<byte[]> result = b.get("/tasks/" + id + "/result");
        assertEquals(200, result.statusCode());
        BufferedImage image = TestImages.decode(result.body());
        assertEquals(320, image.getWidth());
        assertEquals(240, image.getHeight());

        assertEquals(204, b.send(HttpRequest.newBuilder(b.uri("/tasks/" + id)).DELETE().build()).statusCode());
        assertEquals(404, a.get("/tasks/" + id).statusCode());
        assertEquals(404, a.get("/tasks/" + id + "/result").statusCode());

        // A batch accepted by A is followed on B.
        Multipart batch = new Multipart().file("image", "one.png", "image/png", TestImages.png(200, 100))
                .file("image", "two.png", "image/png", TestImages.png(100, 200));
        HttpResponse<byte[]> accepted = a.send(HttpRequest.newBuilder(a.uri("/tasks?scale=0.5"))
                .header("Content-Type", batch.contentType()).POST(batch.publisher()).build());
        assertEquals(202, accepted.statusCode(), new String(accepted.body(), StandardCharsets.UTF_8));
        String batchId = FrontProcess.json(accepted).get("batch_id").asText();
        Await.until(FINISH, "the batch to finish, seen from B",
                () -> FrontProcess.json(b.get("/batches/" + batchId)).get("finished").asBoolean());
        JsonNode finished = FrontProcess.json(b.get("/batches/" + batchId));
        assertEquals(2, finished.get("done").asInt(), finished.toString());
        assertEquals("one.png", finished.get("tasks").get(0).get("filename").asText());
        HttpResponse<String> batchEvents = http.sendAsync(events(a, "/batches/" + batchId + "/events", null),
                HttpResponse.BodyHandlers.ofString()).get(FINISH.toSeconds(), TimeUnit.SECONDS);
        assertTrue(batchEvents.body().startsWith("event: progress"), batchEvents.body());
        assertTrue(batchEvents.body().contains("event: done"), batchEvents.body());
        assertTrue(finished.get("closed").asBoolean(), finished.toString());
    }

    @Test
    void theTasksOfAKilledFrontAreFinishedByAnotherEachWithOneCorrectResult() throws Exception {
        // A takes all 30 at once (31 slots) but runs them one by one, so most are still its own when it dies.
        FrontProcess a = front("--gray-threads", "1", "--worker-in-flight", "30");
        // A's worker is frozen, so A takes and decodes its tasks but can finish none before it dies: B must claim.
        List<ProcessHandle> frozen = freezeWorkers(a);
        TaskLedger ledger = new TaskLedger();
        byte[] image = TestImages.noisePng(1200, 900);
        for (int i = 0; i < 30; i++) {
            ledger.submit(a, image);
        }
        Await.until(FINISH, "front A to start working on its tasks", () -> ledger.accepted().stream()
                .anyMatch(id -> !FrontProcess.json(a.get("/tasks/" + id)).get("status").asText().equals("queued")));
        killWithFrozenWorkers(a, frozen);

        FrontProcess b = front();
        Map<String, JsonNode> finals = ledger.awaitAllFinal(b, FINISH);
        assertEquals(30, TaskLedger.countDone(finals), "every task done: " + finals);
        for (String id : ledger.accepted()) {
            HttpResponse<byte[]> result = b.get("/tasks/" + id + "/result");
            assertEquals(200, result.statusCode(), id);
            assertEquals(id, result.headers().firstValue("X-Task-Id").orElseThrow());
            BufferedImage scaled = TestImages.decode(result.body());
            assertEquals(600, scaled.getWidth(), id);
            assertEquals(450, scaled.getHeight(), id);
            JsonNode output = finals.get(id).get("output");
            assertEquals(result.body().length, output.get("bytes").asInt(), "the result is the one the status describes");
        }
        assertTrue(b.output().contains("claimed task"), "B claimed A's abandoned tasks:\n" + b.output());
        assertEquals(0L, (long) onRedis(redis -> redis.xlen(WORK)), "every work entry acknowledged and removed");
    }

    @Test
    void aTaskThatStoppedThreeFrontsIsGivenUpInsteadOfClaimedAgain() throws Exception {
        FrontProcess a = front();
        List<ProcessHandle> frozen = freezeWorkers(a);
        TaskLedger ledger = new TaskLedger();
        String id = ledger.submit(a, TestImages.png(64, 48));
        Await.until(FINISH, "front A to take the task", () ->
                !FrontProcess.json(a.get("/tasks/" + id)).get("status").asText().equals("queued"));
        killWithFrozenWorkers(a, frozen);
        // Two more fronts that died holding it, as Redis would count them: the entry's delivery count is now 3.
        onRedis(redis -> redis.xclaim(WORK, Consumer.from("fronts", "ghost"),
                XClaimArgs.Builder.minIdleTime(0).retryCount(3),
                redis.xrange(WORK, Range.create("-", "+")).get(0).getId()));

        FrontProcess b = front();
        JsonNode failed = ledger.awaitAllFinal(b, FINISH).get(id);
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertEquals("scaling_failed", failed.get("error").get("code").asText(), failed.toString());
        assertTrue(failed.get("error").get("message").asText().contains("3 fronts"), failed.toString());
        assertTrue(b.output().contains("giving up task " + id), b.output());
        assertEquals(0L, (long) onRedis(redis -> redis.xlen(WORK)), "the given-up entry is acknowledged and removed");
    }

    @Test
    void withRedisStoppedAsyncUploadsGet503AndSyncOnesWorkThenAllResumes() throws Exception {
        FrontProcess a = front();
        FrontProcess b = front();
        byte[] image = TestImages.png(400, 300);
        try (LoadBalancer balancer = LoadBalancer.start(address(a), address(b))) {
            Await.until(FINISH, "HAProxy to have both fronts in rotation", () -> balancer.frontsUp() == 2);
            redis.stop();
            for (FrontProcess front : List.of(a, b)) {
                Await.until(FINISH, "/readyz to report Redis gone", () -> store(front).equals("unavailable"));
                assertEquals(200, front.readyzStatus(), "without Redis a front still serves sync requests: ready");
            }
            // HAProxy takes a front out after 3 failed checks; 3 passed ones during the outage show it stays in.
            String readyChecks = "graypipe_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}";
            double aChecks = a.metric(readyChecks);
            double bChecks = b.metric(readyChecks);
            for (int i = 0; i < 4; i++) {
                HttpResponse<byte[]> refused = balancer.post("/tasks", image);
                assertEquals(503, refused.statusCode(), balancer.output());
                assertEquals("storage_unavailable", FrontProcess.json(refused).get("error").get("code").asText(),
                        "the front's own answer, not HAProxy's front_unavailable");
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
                HttpResponse<byte[]> sync = balancer.post("/process?scale=0.5", image);
                assertEquals(200, sync.statusCode(), new String(sync.body(), StandardCharsets.UTF_8));
                assertEquals(200, TestImages.decode(sync.body()).getWidth());
            }
            Await.until(FINISH, "HAProxy to check both fronts 3 times during the outage",
                    () -> a.metric(readyChecks) >= aChecks + 3 && b.metric(readyChecks) >= bChecks + 3);
            assertEquals(2, balancer.frontsUp(), "both fronts stay in rotation without Redis:\n" + balancer.output());
            HttpResponse<byte[]> sync = balancer.post("/process?scale=0.5", image);
            assertEquals(200, sync.statusCode(), new String(sync.body(), StandardCharsets.UTF_8));

            redis.restart();
            for (FrontProcess front : List.of(a, b)) {
                Await.until(FINISH, "/readyz to report Redis back", () -> store(front).equals("ok"));
            }
            TaskLedger ledger = new TaskLedger();
            for (int i = 0; i < 4; i++) {
                ledger.submit(balancer, image);
            }
            assertEquals(4, TaskLedger.countDone(ledger.awaitAllFinal(balancer, FINISH)));
        }
    }

    @Test
    void tasksQueuedWhenRedisIsKilledAndRestartedAllEndDone() throws Exception {
        FrontProcess a = front();
        // Frozen workers: the tasks stay queued or half-done in Redis, which is all that holds them when it dies.
        List<ProcessHandle> frozen = freezeWorkers(a);
        TaskLedger ledger = new TaskLedger();
        for (int i = 0; i < 12; i++) {
            ledger.submit(a, TestImages.png(200 + i, 100));
        }
        assertEquals(12L, (long) onRedis(redis -> redis.xlen(WORK)), "every accepted task is in the work queue");

        redis.kill9();
        redis.restart();
        Await.until(FINISH, "the front to reach Redis again", () -> store(a).equals("ok"));
        for (ProcessHandle worker : frozen) {
            Signals.send("CONT", worker);
        }

        Map<String, JsonNode> finals = ledger.awaitAllFinal(a, FINISH);
        assertEquals(12, TaskLedger.countDone(finals), "every task accepted before the restart is done: " + finals);
        for (String id : ledger.accepted()) {
            HttpResponse<byte[]> result = a.get("/tasks/" + id + "/result");
            assertEquals(200, result.statusCode(), id);
            assertEquals(finals.get(id).get("output").get("width").asInt(), TestImages.decode(result.body()).getWidth());
        }
    }

    /** What GET /readyz says about the store: ok or unavailable. */
    /** Stops the front's workers (SIGSTOP): it takes and decodes tasks, but can finish none. */
    private static List<ProcessHandle> freezeWorkers(FrontProcess front) throws Exception {
        List<ProcessHandle> frozen = front.workers();
        for (ProcessHandle worker : frozen) {
            Signals.send("STOP", worker);
        }
        return frozen;
    }

    /** {@code kill -9} of a front and of its frozen workers, which cannot see the front's stdin close. */
    private static void killWithFrozenWorkers(FrontProcess front, List<ProcessHandle> frozen) throws Exception {
        front.kill9();
        for (ProcessHandle worker : frozen) {
            Signals.send("KILL", worker);
        }
    }

    /** One command sequence on the test's Redis, over a connection of its own. */
    private <T> T onRedis(Function<RedisCommands<String, String>, T> commands) {
        return redis.commands(commands);
    }

    private static String store(FrontProcess front) {
        return FrontProcess.json(front.get("/readyz")).path("store").asText();
    }

    private static InetSocketAddress address(FrontProcess front) {
        return new InetSocketAddress(front.uri("/").getHost(), front.port());
    }

    private static HttpRequest events(FrontProcess front, String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(front.uri(path)).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return request.build();
    }

    /** Up to {@code max} events as {id, name}, read from SSE lines. */
    private static List<String[]> readEvents(Iterator<String> lines, int max) {
        List<String[]> events = new ArrayList<>();
        String id = null;
        String name = null;
        while (events.size() < max && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.isEmpty() && name != null) {
                events.add(new String[]{id, name});
                id = null;
                name = null;
            }
        }
        return events;
    }
}
