package io.graypipe.front.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.List;
import java.util.Optional;

/**
 * Every endpoint the front answers: its path template and methods. {@link Endpoints} dispatches on
 * these, the metrics label requests with the template, and the OpenAPI test checks the document against them.
 */
public enum Route {
    PAGE("/", HttpMethod.GET),
    PAGE_SCRIPT("/page.js", HttpMethod.GET),
    PAGE_STYLE("/page.css", HttpMethod.GET),
    PROCESS("/process", HttpMethod.POST),
    UPLOAD("/upload", HttpMethod.POST),
    TASKS("/tasks", HttpMethod.POST),
    TASK("/tasks/{id}", HttpMethod.GET, HttpMethod.DELETE),
    TASK_RESULT("/tasks/{id}/result", HttpMethod.GET),
    TASK_EVENTS("/tasks/{id}/events", HttpMethod.GET),
    BATCHES("/batches", HttpMethod.POST),
    BATCH("/batches/{id}", HttpMethod.GET),
    BATCH_EVENTS("/batches/{id}/events", HttpMethod.GET),
    BATCH_CLOSE("/batches/{id}/close", HttpMethod.POST),
    BATCH_ARCHIVE("/batches/{id}/archive", HttpMethod.GET),
    HEALTHZ("/healthz", HttpMethod.GET),
    READYZ("/readyz", HttpMethod.GET),
    METRICS("/metrics", HttpMethod.GET),
    STATS("/stats", HttpMethod.GET),
    OPENAPI("/openapi.json", HttpMethod.GET),
    OPS("/ops", HttpMethod.GET),
    FORMATS("/formats", HttpMethod.GET),
    INFO("/info", HttpMethod.POST),
    DOCS("/docs", HttpMethod.GET),
    DOCS_FILE("/docs/{id}", HttpMethod.GET);

    /** The metrics label of a request that matched no route. */
    public static final String UNMATCHED = "unmatched";

    private final String template;
    private final List<String> segments;
    private final List<HttpMethod> methods;

    Route(String template, HttpMethod... methods) {
        this.template = template;
        this.segments = split(template);
        this.methods = List.of(methods);
    }

    public String template() {
        return template;
    }

    public List<HttpMethod> methods() {
        return methods;
    }

    /** The route whose template fits {@code path}, with the value of its {@code {id}} segment, if any. */
    public static Optional<Match> match(String path) {
        List<String> parts = split(path);
        for (Route route : values()) {
            if (route.segments.size() != parts.size()) {
                continue;
            }
            String id = null;
            boolean fits = true;
            for (int i = 0; i < parts.size() && fits; i++) {
                String expected = route.segments.get(i);
                if (expected.equals("{id}")) {
                    id = parts.get(i);
                } else {
                    fits = expected.equals(parts.get(i));
                }
            }
            if (fits) {
                return Optional.of(new Match(route, id));
            }
        }
        return Optional.empty();
    }

    private static List<String> split(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/+"));
    }

    /** A matched route; {@code id} is null for templates without one. */
    public record Match(Route route, String id) {
    }
}
