package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.time.Instant;

/**
 * When a task entered each stage, and so how long each stage took. A stage not reached yet is null. The
 * {@code *_ms} figures are derived here once, so the status JSON, the event stream and the metrics agree.
 */
// The *_ms figures are derived from the instants: written for clients, skipped when a task record is read back.
@JsonIgnoreProperties(value = {"queued_ms", "grayscale_ms", "scaling_ms"}, allowGetters = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timeline(Instant queuedAt, Instant grayscaleAt, Instant scalingAt, Instant finishedAt) {

    static Timeline startingAt(Instant queuedAt) {
        return new Timeline(queuedAt, null, null, null);
    }

    Timeline entering(TaskState state, Instant now) {
        return switch (state) {
            case QUEUED -> this;
            case GRAYSCALE -> new Timeline(queuedAt, now, scalingAt, finishedAt);
            case SCALING -> new Timeline(queuedAt, grayscaleAt, now, finishedAt);
            case DONE, FAILED, CANCELLED -> new Timeline(queuedAt, grayscaleAt, scalingAt, now);
        };
    }

    /** Time spent waiting for a gray thread and a worker slot; until now if still waiting. */
    public Duration queued() {
        return between(queuedAt, grayscaleAt != null ? grayscaleAt : scalingAt != null ? scalingAt : finishedAt);
    }

    /** Time spent decoding to gray, or null if the task never got there. */
    public Duration grayscale() {
        return grayscaleAt == null ? null : between(grayscaleAt, scalingAt != null ? scalingAt : finishedAt);
    }

    /** Time from handing the raster to the worker until the result came back, or null if never sent. */
    public Duration scaling() {
        return scalingAt == null ? null : between(scalingAt, finishedAt);
    }

    @JsonProperty("queued_ms")
    Long queuedMillis() {
        return millis(queued());
    }

    @JsonProperty("grayscale_ms")
    Long grayscaleMillis() {
        return millis(grayscale());
    }

    @JsonProperty("scaling_ms")
    Long scalingMillis() {
        return millis(scaling());
    }

    private static Duration between(Instant from, Instant to) {
        return to == null ? null : Duration.between(from, to);
    }

    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }
}
