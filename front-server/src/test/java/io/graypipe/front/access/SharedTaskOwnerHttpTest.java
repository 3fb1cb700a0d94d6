package io.graypipe.front.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With {@code --store} every async task is taken back from Redis by some front's work loop; it must run there as
 * its owner's, not as an unknown client's, so the gray queue and worker dispatch share it fairly: the owner is
 * recorded with the task in Redis. Seen in the per-client queue wait series, labelled by the key's name.
 */
class SharedTaskOwnerHttpTest {
    private static final String ALICE = "gp_alice-" + "a".repeat(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aTaskTakenFromRedisRunsAsTheClientThatSentIt() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"),
                new ApiKey("alice", ApiKey.hash(ALICE), null, null, 1).line() + "\n");
        try (RedisServer redis = RedisServer.start();
             TestFront front = TestFront.builder().store(redis.uri()).args("--api-keys", keys.toString()).start()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Multipart body = new Multipart().file("image", "a.png", "image/png", TestImages.png(80, 60));
                HttpResponse<String> accepted = front.http().send(HttpRequest.newBuilder(front.uri("/tasks"))
                        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + ALICE)
                        .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, accepted.statusCode(), accepted::body);
                ids.add(JSON.readTree(accepted.body()).get("id").asText());
            }
            for (String id : ids) {
                Await.until(Duration.ofSeconds(60), "task " + id + " done", () -> status(front, id).equals("done"));
            }
            assertEquals(3.0, front.metric("graypipe_client_queue_wait_seconds_count{client=\"alice\"}"),
                    "each task taken from Redis waited in the gray queue as alice's");
            assertEquals(0.0, front.metric("graypipe_client_queue_wait_seconds_count{client=\"anonymous\"}"),
                    "none ran as an unknown client's");
        }
    }

    private static String status(TestFront front, String id) {
        try {
            HttpResponse<String> answer = front.http().send(HttpRequest.newBuilder(front.uri("/tasks/" + id))
                    .header("Authorization", "Bearer " + ALICE).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(answer.body()).path("status").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
