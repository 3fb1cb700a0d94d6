package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.testing.TestFront;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /openapi.json against the route table, the error codes and the running server. */
class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static JsonNode document() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/web/openapi.json")) {
            assertNotNull(in, "openapi.json is not on the class path");
            return JSON.readTree(in);
        }
    }

    /** "GET /tasks/{id}" for every operation of the document. */
    private static Set<String> documentedOperations(JsonNode doc) {
        Set<String> operations = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
            if (HTTP_METHODS.contains(key)) {
                operations.add(key.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return operations;
    }

    private static Set<String> servedOperations() {
        Set<String> operations = new TreeSet<>();
        for (Route route : Route.values()) {
            for (HttpMethod method : route.methods()) {
                operations.add(method.name() + " " + route.template());
            }
        }
        return operations;
    }

    @Test
    void isAStructurallyValidOpenApi31Document() throws Exception {
        JsonNode doc = document();
        assertTrue(doc.get("openapi").asText().startsWith("3.1."));
        assertFalse(doc.at("/info/title").asText().isEmpty());
        assertFalse(doc.at("/info/version").asText().isEmpty());
        List<String> problems = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(path -> {
            if (!path.getKey().startsWith("/")) {
                problems.add(path.getKey() + ": paths start with /");
            }
            Set<String> templated = Arrays.stream(path.getKey().split("/")).filter(s -> s.startsWith("{"))
                    .map(s -> s.substring(1, s.length() - 1)).collect(Collectors.toSet());
            path.getValue().fields().forEachRemaining(op -> {
                if (!HTTP_METHODS.contains(op.getKey())) {
                    return;
                }
                JsonNode responses = op.getValue().get("responses");
                if (responses == null || responses.isEmpty()) {
                    problems.add(op.getKey() + " " + path.getKey() + ": no responses");
                    return;
                }
                responses.fields().forEachRemaining(r -> {
                    if (!r.getKey().matches("[1-5]\\d\\d|default")) {
                        problems.add(path.getKey() + ": bad status " + r.getKey());
                    }
                    if (!r.getValue().has("$ref") && !r.getValue().has("description")) {
                        problems.add(path.getKey() + " " + r.getKey() + ": response without description");
                    }
                });
                if (!op.getValue().has("operationId")) {
                    problems.add(op.getKey() + " " + path.getKey() + ": no operationId");
                }
            });
            Set<String> declared = new TreeSet<>();
            path.getValue().path("parameters").forEach(p -> declared.add(resolve(doc, p).path("name").asText()));
            path.getValue().fields().forEachRemaining(op -> op.getValue().path("parameters")
                    .forEach(p -> {
                        JsonNode param = resolve(doc, p);
                        if (param.path("in").asText().equals("path")) {
                            declared.add(param.path("name").asText());
                        }
                    }));
            for (String name : templated) {
                if (!declared.contains(name)) {
                    problems.add(path.getKey() + ": path parameter {" + name + "} not declared");
                }
            }
        });
        checkRefs(doc, doc, problems);
        assertEquals(List.of(), problems);
    }

    @Test
    void documentsExactlyTheRoutesTheServerAnswers() throws Exception {
        assertEquals(servedOperations(), documentedOperations(document()));
    }

    @Test
    void listsEveryErrorCode() throws Exception {
        Set<String> documented = new TreeSet<>();
        document().at("/components/schemas/Error/properties/error/properties/code/enum").forEach(c -> documented.add(c.asText()));
        Set<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::label).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(codes, documented);
    }

    /** Every documented operation reaches a handler on the real server: no "no such endpoint", no 405. */
    @Test
    void theRunningServerAnswersEveryDocumentedOperation() throws Exception {
        try (TestFront front = TestFront.builder().workerMode("processes").processes(2).start()) {
            HttpResponse<String> served = front.get("/openapi.json");
            assertEquals(200, served.statusCode());
            assertEquals(document(), JSON.readTree(served.body()));
            String id = "0".repeat(32);
            for (String operation : documentedOperations(document())) {
                String[] parts = operation.split(" ", 2);
                // {id} is a task or batch id, except under /docs/, where it names one of the page's files.
                String path = parts[1].replace("{id}", parts[1].startsWith("/docs/") ? "initializer.js" : id);
                HttpRequest.Builder request = HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(10));
                request = parts[0].equals("POST")
                        ? request.header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1}))
                        : request.method(parts[0], HttpRequest.BodyPublishers.noBody());
                HttpResponse<String> response = front.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(response.statusCode() != 405, operation + " answered 405");
                assertFalse(errorCode(response).equals("not_found"), operation + ": " + response.body());
            }
            HttpResponse<String> unknown = front.get("/nothing/here");
            assertEquals(404, unknown.statusCode());
            assertEquals("not_found", errorCode(unknown));
        }
    }

    private static String errorCode(HttpResponse<String> response) throws Exception {
        boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        return json ? JSON.readTree(response.body()).at("/error/code").asText() : "";
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        return node.has("$ref") ? doc.at(node.get("$ref").asText().substring(1)) : node;
    }

    private static void checkRefs(JsonNode doc, JsonNode node, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.asText().startsWith("#/") || doc.at(ref.asText().substring(1)).isMissingNode())) {
                problems.add("unresolved $ref " + ref.asText());
            }
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            fields.forEachRemaining(f -> checkRefs(doc, f.getValue(), problems));
        } else if (node.isArray()) {
            node.forEach(child -> checkRefs(doc, child, problems));
        }
    }
}
