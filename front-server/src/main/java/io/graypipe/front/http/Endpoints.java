package io.graypipe.front.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;

import java.util.EnumMap;
import java.util.Map;

/**
 * The endpoint table: for each {@link Route}, how a request to it is answered. An endpoint only chooses the kind
 * of answer on its {@link HttpExchange}; the work runs when the body has been read (or, for uploads, received).
 * The table must cover every route; the constructor checks it, so a new route cannot be left unanswered.
 */
final class Endpoints {
    /** Starts answering {@code exchange}; {@code id} is the route's {@code {id}} segment, or null. */
    @FunctionalInterface
    interface Endpoint {
        void begin(HttpExchange exchange, String id);
    }

    private final Map<Route, Endpoint> table = new EnumMap<>(Route.class);

    Endpoints(UploadRequests uploads, InfoRequests info, TaskEndpoints tasks, Observability observability) {
        table.put(Route.PAGE, (exchange, id) -> exchange.answerAfterBody(observability::page));
        table.put(Route.PAGE_SCRIPT, (exchange, id) -> exchange.answerAfterBody(observability::pageScript));
        table.put(Route.PAGE_STYLE, (exchange, id) -> exchange.answerAfterBody(observability::pageStyle));
        table.put(Route.PROCESS, (exchange, id) -> uploads.begin(exchange, true));
        table.put(Route.UPLOAD, (exchange, id) -> uploads.begin(exchange, true));
        table.put(Route.TASKS, (exchange, id) -> uploads.begin(exchange, false));
        table.put(Route.TASK, (exchange, id) -> {
            if (exchange.request().method().equals(HttpMethod.GET)) {
                exchange.answerLaterAfterBody(() -> tasks.taskStatus(id));
            } else {
                exchange.answerLaterAfterBody(() -> tasks.deleteTask(id));
            }
        });
        table.put(Route.TASK_RESULT, (exchange, id) -> exchange.answerLaterAfterBody(() -> tasks.taskResult(id,
                        exchange.request().headers().get(HttpHeaderNames.IF_NONE_MATCH))
                .thenApply(answer -> ContentDisposition.download(answer, exchange.query().get("filename")))));
        table.put(Route.TASK_EVENTS, (exchange, id) -> exchange.streamAfterBody(
                () -> tasks.taskEvents(id, exchange.lastEventId())));
        table.put(Route.BATCHES, (exchange, id) -> exchange.answerLaterAfterBody(
                () -> tasks.createBatch(exchange.client())));
        table.put(Route.BATCH, (exchange, id) -> exchange.answerLaterAfterBody(() -> tasks.batchStatus(id)));
        table.put(Route.BATCH_CLOSE, (exchange, id) -> exchange.answerLaterAfterBody(() -> tasks.closeBatch(id)));
        table.put(Route.BATCH_ARCHIVE, (exchange, id) -> exchange.archiveAfterBody(() -> tasks.batchArchive(id),
                ContentDisposition.attachment("batch-" + HttpResponses.safeToken(id), ".zip", "batch")));
        table.put(Route.BATCH_EVENTS, (exchange, id) -> exchange.streamAfterBody(
                () -> tasks.batchEvents(id, exchange.lastEventId())));
        table.put(Route.HEALTHZ, (exchange, id) -> exchange.answerAfterBody(tasks::health));
        table.put(Route.READYZ, (exchange, id) -> exchange.answerAfterBody(tasks::readiness));
        table.put(Route.METRICS, (exchange, id) -> exchange.answerLaterAfterBody(observability::scrapeResponse));
        table.put(Route.STATS, (exchange, id) -> exchange.answerLaterAfterBody(observability::statsResponse));
        table.put(Route.OPENAPI, (exchange, id) -> exchange.answerAfterBody(observability::openApi));
        table.put(Route.OPS, (exchange, id) -> exchange.answerAfterBody(observability::ops));
        table.put(Route.FORMATS, (exchange, id) -> exchange.answerAfterBody(observability::formats));
        table.put(Route.INFO, (exchange, id) -> info.begin(exchange));
        table.put(Route.DOCS, (exchange, id) -> exchange.answerAfterBody(observability::docs));
        table.put(Route.DOCS_FILE, (exchange, id) -> exchange.answerAfterBody(() -> observability.docsFile(id)));
        for (Route route : Route.values()) {
            if (!table.containsKey(route)) {
                throw new IllegalStateException("no endpoint for " + route.template());
            }
        }
    }

    Endpoint of(Route route) {
        return table.get(route);
    }
}
