package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** One immutable view of a task, exactly as {@code GET /tasks/{id}} shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskStatus(String id,
                         TaskState status,
                         Instant createdAt,
                         Instant updatedAt,
                         double scale,
                         ImageInfo input,
                         ImageInfo output,
                         ErrorInfo error,
                         Timeline timeline) {

    public static TaskStatus queued(String id, double scale, Instant now) {
        return new TaskStatus(id, TaskState.QUEUED, now, now, scale, null, null, null, Timeline.startingAt(now));
    }

    TaskStatus with(TaskState newState, Instant now) {
        return new TaskStatus(id, newState, createdAt, now, scale, input, output, error,
                timeline.entering(newState, now));
    }

    TaskStatus withInput(ImageInfo info) {
        return new TaskStatus(id, status, createdAt, updatedAt, scale, info, output, error, timeline);
    }

    public TaskStatus done(ImageInfo info, Instant now) {
        return new TaskStatus(id, TaskState.DONE, createdAt, now, scale, input, info, null,
                timeline.entering(TaskState.DONE, now));
    }

    TaskStatus failed(ErrorInfo info, Instant now) {
        return new TaskStatus(id, TaskState.FAILED, createdAt, now, scale, input, null, info,
                timeline.entering(TaskState.FAILED, now));
    }
}
