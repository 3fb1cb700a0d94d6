package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventsAndBatchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ORDER = List.of("queued", "grayscale", "scaling", "done");
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder().workerMode("processes").processes(2).start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    /** One SSE event: its id (null without), name and JSON data. */
    record Event(String id, String name, JsonNode data) {
    }

    private static CompletableFuture<HttpResponse<String>> open(String path) {
        return open(path, null);
    }

    private static CompletableFuture<HttpResponse<String>> open(String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(30));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return front.http().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static List<Event> parse(String body) throws Exception {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String id = null;
            String name = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            events.add(new Event(id, name, JSON.readTree(data)));
        }
        return events;
    }

    /** An async task of a picture big enough that a stream opened at once sees it go through its stages. */
    private static String submitBigTask() throws Exception {
        HttpResponse<String> created = front.post("/tasks",
                new Multipart().file("image", "big.png", "image/png", TestImages.png(1600, 1200)));
        assertEquals(202, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("id").asText();
    }

    @Test
    void manySubscribersEachSeeTheStagesInOrderUntilDone() throws Exception {
        String id = submitBigTask();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            streams.add(open("/tasks/" + id + "/events"));
        }
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            HttpResponse<String> response = stream.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
            List<Event> events = parse(response.body());
            List<String> names = events.stream().map(Event::name).collect(Collectors.toList());
            assertEquals("done", names.get(names.size() - 1), names.toString());
            for (int i = 1; i < names.size(); i++) {
                assertTrue(ORDER.indexOf(names.get(i - 1)) < ORDER.indexOf(names.get(i)), "out of order: " + names);
            }
            JsonNode done = events.get(events.size() - 1).data();
            assertEquals(id, done.get("id").asText());
            assertTrue(done.at("/timeline/scaling_ms").isNumber(), done.toString());
            assertTrue(done.at("/timeline/finished_at").isTextual());
        }
    }

    /**
     * A client that drops a task's event stream and reconnects with {@code Last-Event-ID} gets exactly the events
     * after it: for every point it could have left at, the resumed stream is the rest of the full one.
     */
    @Test
    void aStreamResumedWithLastEventIdMissesNoEventAndRepeatsNone() throws Exception {
        String id = submitBigTask();
        List<Event> full = parse(open("/tasks/" + id + "/events").get(30, TimeUnit.SECONDS).body());
        assertEquals("done", full.get(full.size() - 1).name(), full.toString());
        assertTrue(full.stream().allMatch(event -> event.id() != null), "every event has an id: " + full);
        for (int seen = 0; seen < full.size(); seen++) {
            List<Event> resumed = parse(open("/tasks/" + id + "/events", full.get(seen).id())
                    .get(30, TimeUnit.SECONDS).body());
            List<Event> expected = full.subList(seen + 1, full.size());
            assertEquals(expected.stream().map(e -> e.id() + " " + e.name()).toList(),
                    resumed.stream().map(e -> e.id() + " " + e.name()).toList(),
                    "resumed after event " + full.get(seen).id() + " of " + full);
        }
    }

    @Test
    void aLateSubscriberGetsTheFinalStateAndTheStreamEnds() throws Exception {
        HttpResponse<String> processed = front.post("/process",
                new Multipart().file("image", "a.png", "image/png", TestImages.png(40, 30)));
        String id = processed.headers().firstValue("X-Task-Id").orElseThrow();
        List<Event> events = parse(open("/tasks/" + id + "/events").get(30, TimeUnit.SECONDS).body());
        assertEquals(1, events.size());
        assertEquals("done", events.get(0).name());
        assertEquals(404, front.get("/tasks/" + "0".repeat(32) + "/events").statusCode());
    }

    @Test
    void severalFilesMakeABatchWhoseProgressIsReportedAndStreamed() throws Exception {
        HttpResponse<String> created = front.post("/tasks", new Multipart()
                .file("image", "one.png", "image/png", TestImages.png(64, 48))
                .file("file", "two.jpg", "image/jpeg", TestImages.jpeg(80, 60))
                .file("image", "notes.txt", "text/plain", "not an image at all".getBytes(StandardCharsets.UTF_8))
                .field("scale", "0.25"));
        assertEquals(202, created.statusCode(), created.body());
        JsonNode body = JSON.readTree(created.body());
        String batchId = body.get("batch_id").asText();
        assertEquals(3, body.get("tasks").size());
        assertEquals("two.jpg", body.at("/tasks/1/filename").asText());
        assertEquals("/batches/" + batchId, created.headers().firstValue("Location").orElse(""));

        List<Event> events = parse(open("/batches/" + batchId + "/events").get(30, TimeUnit.SECONDS).body());
        assertEquals("progress", events.get(0).name());
        Event last = events.get(events.size() - 1);
        assertEquals("done", last.name());
        assertEquals(2, last.data().get("done").asInt());
        assertEquals(1, last.data().get("failed").asInt());
        assertEquals(3, last.data().get("total").asInt());

        JsonNode batch = JSON.readTree(front.get("/batches/" + batchId).body());
        assertTrue(batch.get("finished").asBoolean());
        assertTrue(batch.get("images_per_second").asDouble() > 0);
        // The exact code is the decoder's business (unsupported_media_type or undecodable_image); a failure it is.
        assertEquals("failed", batch.at("/tasks/2/task/status").asText(), batch.toString());
        assertTrue(batch.at("/tasks/2/task/error/message").asText().length() > 0, batch.toString());
        assertEquals(404, front.get("/batches/nope").statusCode());
    }

    /**
     * A batch's task events are numbered on one machine too: resumed after any of them, the stream holds exactly
     * the ones after it (contiguous, none twice), then done, and no progress snapshot.
     */
    @Test
    void aBatchStreamResumedWithLastEventIdMissesNoEventAndRepeatsNone() throws Exception {
        HttpResponse<String> created = front.post("/tasks", new Multipart()
                .file("image", "one.png", "image/png", TestImages.png(64, 48))
                .file("image", "two.png", "image/png", TestImages.png(80, 60)));
        assertEquals(202, created.statusCode(), created.body());
        String batchId = JSON.readTree(created.body()).get("batch_id").asText();
        parse(open("/batches/" + batchId + "/events").get(30, TimeUnit.SECONDS).body());
        List<Event> afterFirst = parse(open("/batches/" + batchId + "/events", "1").get(30, TimeUnit.SECONDS).body());
        assertEquals("done", afterFirst.get(afterFirst.size() - 1).name(), afterFirst.toString());
        List<Event> tasks = afterFirst.subList(0, afterFirst.size() - 1);
        assertTrue(tasks.size() >= 3, "two tasks make several events after the first: " + afterFirst);
        for (int i = 0; i < tasks.size(); i++) {
            assertEquals("task", tasks.get(i).name());
            assertEquals(Integer.toString(i + 2), tasks.get(i).id(), "contiguous ids: " + afterFirst);
        }
        for (int seen = 0; seen < tasks.size(); seen++) {
            List<Event> resumed = parse(open("/batches/" + batchId + "/events", tasks.get(seen).id())
                    .get(30, TimeUnit.SECONDS).body());
            assertEquals(afterFirst.subList(seen + 1, afterFirst.size()).stream().map(e -> e.id() + " " + e.name())
                    .toList(), resumed.stream().map(e -> e.id() + " " + e.name()).toList());
        }
    }

    @Test
    void theSynchronousEndpointStillTakesOneFile() throws Exception {
        HttpResponse<String> refused = front.post("/process", new Multipart()
                .file("image", "one.png", "image/png", TestImages.png(8, 8))
                .file("image", "two.png", "image/png", TestImages.png(8, 8)));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("too_many_files"));
    }
}
