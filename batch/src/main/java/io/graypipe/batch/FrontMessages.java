package io.graypipe.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The parts of the front's JSON answers the CLI reads (README "HTTP API"); other fields are ignored. */
final class FrontMessages {
    private FrontMessages() {
    }

    /** 201 of {@code POST /batches}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchCreated(String id) {
    }

    /** 202 of {@code POST /tasks?batch=ID}: the batch and the task(s) of this upload. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchAccepted(String batchId, List<BatchEntry> tasks) {
    }

    /** One file of an upload: its task id, or its error. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchEntry(String id, String filename, Failure error) {
    }

    /** The data of a batch's {@code progress} and {@code done} events: every task so far. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchProgress(List<BatchItem> tasks) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchItem(TaskStatus task) {
    }

    /** The data of a batch's {@code task} event: the task that changed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskEvent(TaskStatus task) {
    }

    /** {@code GET /tasks/{id}}, and the task in a batch's events. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskStatus(String id, String status, OutputInfo output, Failure error, CacheInfo cache) {
        boolean isFinal() {
            return "done".equals(status) || "failed".equals(status) || "cancelled".equals(status);
        }

        /** Whether the front answered it from its result cache. */
        boolean cacheHit() {
            return cache != null && "hit".equals(cache.result());
        }
    }

    /** What the front's result cache did for a task: {@code result} is hit or miss. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record CacheInfo(String result) {
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
