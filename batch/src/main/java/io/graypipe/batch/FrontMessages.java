package io.graypipe.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The parts of the front's JSON answers the CLI reads (README "HTTP API"); other fields are ignored. */
final class FrontMessages {
    private FrontMessages() {
    }

    /** 202 of {@code POST /tasks} with one file. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskCreated(String id, String status) {
    }

    /** {@code GET /tasks/{id}}, and the data of each of its events. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskStatus(String id, String status, OutputInfo output, Failure error) {
        boolean isFinal() {
            return "done".equals(status) || "failed".equals(status) || "cancelled".equals(status);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record OutputInfo(String format, int width, int height, long bytes) {
    }

    /** The front's {@code {"code","message"}}, or one the CLI makes for a failure on its side of the wire. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Failure(String code, String message) {
    }

    /** Every error answer: {@code {"error":{"code","message"}}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorBody(Failure error) {
    }

    /** {@code GET /stats}: only the worker pool's size, which sets the default concurrency. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Stats(Pool pool) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Pool(boolean reachable, int configured) {
    }
}
