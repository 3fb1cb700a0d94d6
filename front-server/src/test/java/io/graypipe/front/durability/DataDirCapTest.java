package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --max-data-bytes: an async upload that does not fit the data directory is refused, and the server carries on. */
class DataDirCapTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anUploadOverTheDiskBudgetGetsStorageFullAndSmallerOnesStillRun() throws Exception {
        byte[] large = TestImages.noisePng(400, 300);
        byte[] small = TestImages.png(64, 48);
        assertTrue(small.length * 4 < large.length, "fixtures: the small upload must fit where the large does not");
        try (TestFront front = TestFront.builder().maxDataBytes(large.length - 1L).start()) {
            HttpResponse<String> refused = front.post("/tasks",
                    new Multipart().file("image", "large.png", "image/png", large));
            assertEquals(503, refused.statusCode(), refused::body);
            assertEquals("storage_full", JSON.readTree(refused.body()).at("/error/code").asText());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");

            HttpResponse<String> accepted = front.post("/tasks",
                    new Multipart().file("image", "small.png", "image/png", small));
            assertEquals(202, accepted.statusCode(), accepted::body);
            String id = JSON.readTree(accepted.body()).get("id").asText();
            AtomicReference<JsonNode> status = new AtomicReference<>();
            Await.until(Duration.ofSeconds(20), "the small task to finish", () -> {
                try {
                    status.set(JSON.readTree(front.get("/tasks/" + id).body()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return status.get().get("status").asText().matches("done|failed");
            });
            assertEquals("done", status.get().get("status").asText(), status.get()::toString);
        }
    }
}
