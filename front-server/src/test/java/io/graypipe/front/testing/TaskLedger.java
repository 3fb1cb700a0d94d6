package io.graypipe.front.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The books of an async load test: every task id that got a 202, and at the end the final status of each, so a
 * test can assert that N submitted are N accounted for.
 */
public final class TaskLedger {
    private final List<String> accepted = new ArrayList<>();

    /** POSTs {@code image} to /tasks and records the id; fails the test unless the answer is 202. */
    public String submit(HttpTarget front, byte[] image) {
        HttpResponse<byte[]> response;
        try {
            response = front.post("/tasks?scale=0.5&format=png", image);
        } catch (RuntimeException e) {
            throw new AssertionError("POST /tasks failed after " + accepted.size() + " accepted; output:\n"
                    + front.output(), e);
        }
        if (response.statusCode() != 202) {
            throw new AssertionError("POST /tasks answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        String id = FrontProcess.json(response).get("id").asText();
        accepted.add(id);
        return id;
    }

    public List<String> accepted() {
        return List.copyOf(accepted);
    }

    /**
     * Polls every accepted task until each is done or failed and returns their final status JSON, by id.
     * A task the front no longer knows (404) fails the test: that is a lost task.
     */
    public Map<String, JsonNode> awaitAllFinal(HttpTarget front, Duration timeout) {
        Map<String, JsonNode> finals = new LinkedHashMap<>();
        Await.until(timeout, "all " + accepted.size() + " tasks to finish", () -> {
            for (String id : accepted) {
                if (finals.containsKey(id)) {
                    continue;
                }
                HttpResponse<byte[]> response = front.get("/tasks/" + id);
                if (response.statusCode() != 200) {
                    throw new AssertionError("task " + id + " lost: GET answered " + response.statusCode() + " "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
                JsonNode status = FrontProcess.json(response);
                String state = status.get("status").asText();
                if (state.equals("done") || state.equals("failed")) {
                    finals.put(id, status);
                }
            }
            return finals.size() == accepted.size();
        });
        return finals;
    }

    /** How many of {@code finals} are done; every other one must be failed with an error code. */
    public static long countDone(Map<String, JsonNode> finals) {
        long done = 0;
        for (JsonNode status : finals.values()) {
            if (status.get("status").asText().equals("done")) {
                done++;
            } else if (!status.path("error").path("code").isTextual()) {
                throw new AssertionError("failed task without an error code: " + status);
            }
        }
        return done;
    }
}
