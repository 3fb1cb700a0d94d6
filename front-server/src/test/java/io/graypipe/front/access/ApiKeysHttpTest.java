package io.graypipe.front.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A front with {@code --api-keys}: every route of its own OpenAPI document, asked with no key, a wrong key, another
 * client's key and the owner's; and the key file read again when it changes.
 */
class ApiKeysHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What anyone may read (docs/many-users.md); /metrics too, without --metrics-auth. */
    private static final Set<String> OPEN = Set.of("/", "/page.js", "/page.css", "/docs", "/docs/{id}", "/openapi.json", "/ops", "/formats",
            "/healthz", "/readyz", "/metrics");

    @TempDir
    static Path dir;
    private static Path keyFile;
    private static TestFront front;
    private static final String ALICE = "gp_alice-" + "a".repeat(40);
    private static final String BOB = "gp_bob-" + "b".repeat(40);

    @BeforeAll
    static void start() throws Exception {
        keyFile = dir.resolve("keys");
        Files.writeString(keyFile, "# test keys\n" + line("alice", ALICE) + "\n" + line("bob", BOB) + " weight=2\n");
        front = TestFront.builder().args("--api-keys", keyFile.toString()).start();
    }

    private static String line(String name, String key) {
        return new ApiKey(name, ApiKey.hash(key), null, null, 1).line();
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.close();
        }
    }

    private static HttpResponse<InputStream> send(String method, String path, String key, Multipart body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            request.header("Content-Type", body.contentType()).method(method, body.publisher());
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        // The head is enough: event streams stay open, and are closed here.
        try {
            return front.http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    private static JsonNode json(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            return JSON.readTree(body.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int status(String method, String path, String key) {
        HttpResponse<InputStream> response = send(method, path, key, null);
        try {
            response.body().close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return response.statusCode();
    }

    private static Multipart images(int count) {
        Multipart body = new Multipart();
        for (int i = 0; i < count; i++) {
            body.file("image", "p" + i + ".png", "image/png", TestImages.png(40, 30));
        }
        return body;
    }

    @Test
    void everyDocumentedRouteNeedsAKeyExceptTheOpenOnesAndTasksAnswerOnlyTheirOwner() throws Exception {
        JsonNode accepted = json(send("POST", "/tasks", ALICE, images(1)));
        String task = accepted.path("id").asText();
        JsonNode batchAccepted = json(send("POST", "/tasks", ALICE, images(2)));
        String batch = batchAccepted.path("batch_id").asText();
        assertEquals(32, task.length(), accepted::toString);
        assertEquals(32, batch.length(), batchAccepted::toString);
        Await.until(Duration.ofSeconds(20), "alice's task and batch to finish", () ->
                json(send("GET", "/tasks/" + task, ALICE, null)).path("status").asText().equals("done")
                        && json(send("GET", "/batches/" + batch, ALICE, null)).path("finished").asBoolean());

        JsonNode document = json(send("GET", "/openapi.json", null, null));
        List<String[]> operations = new ArrayList<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(m -> {
            if (Set.of("get", "post", "delete").contains(m)) {
                operations.add(new String[]{m.toUpperCase(), path.getKey()});
            }
        }));
        // Deleting alice's task comes last, after everything else has read it.
        operations.sort(Comparator.comparing(op -> op[0].equals("DELETE")));
        assertTrue(operations.size() >= 18, "the document lists the routes");

        for (String[] op : operations) {
            String template = op[1];
            String path = template.replace("{id}", template.startsWith("/batches/") ? batch : task);
            String what = op[0] + " " + template;
            for (String key : new String[]{null, "gp_wrong-" + "c".repeat(40)}) {
                HttpResponse<InputStream> response = send(op[0], path, key, null);
                if (OPEN.contains(template)) {
                    response.body().close();
                    assertNotEquals(401, response.statusCode(), what + " is open");
                } else {
                    assertEquals(401, response.statusCode(), what + (key == null ? " without a key" : " with a wrong key"));
                    assertEquals("Bearer realm=\"graypipe\"",
                            response.headers().firstValue("WWW-Authenticate").orElse(""), what);
                    assertEquals("unauthorized", json(response).at("/error/code").asText(), what);
                }
            }
            if (template.contains("{id}") && !OPEN.contains(template)) {
                HttpResponse<InputStream> other = send(op[0], path, BOB, null);
                assertEquals(404, other.statusCode(), what + " with another client's key");
                String code = json(other).at("/error/code").asText();
                assertEquals(template.startsWith("/batches/") ? "batch_not_found" : "task_not_found", code, what);
                int own = status(op[0], path, ALICE);
                assertTrue(own != 401 && own != 404, what + " answers its owner: " + own);
            } else if (!OPEN.contains(template)) {
                assertNotEquals(401, status(op[0], path, BOB), what + " with a valid key");
            }
        }
        // X-API-Key is the other way to show a key.
        HttpResponse<String> stats = front.http().send(HttpRequest.newBuilder(front.uri("/stats"))
                .header("X-API-Key", ALICE).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stats.statusCode());
        JsonNode clients = JSON.readTree(stats.body()).path("clients");
        assertEquals(3, clients.path("alice").path("images").asLong(), stats.body());
    }

    @Test
    void aKeyAddedToTheFileWorksWithoutARestart() throws Exception {
        String carol = "gp_carol-" + "d".repeat(40);
        assertEquals(401, status("GET", "/stats", carol));
        Files.writeString(keyFile, line("carol", carol) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Await.until(Duration.ofSeconds(10), "the key file to be read again",
                () -> status("GET", "/stats", carol) == 200);
        assertEquals(200, status("GET", "/stats", ALICE), "the other keys stay");
    }
}
