package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;

import java.time.Instant;

/**
 * One immutable view of a task, exactly as {@code GET /tasks/{id}} shows it.
 *
 * @param ops     the filter chain in its canonical form ({@code OpChain.toString()}), empty for plain gray
 * @param variant the chain's file-name-safe name ({@code OpChain.variantName()}): what a batch counts by
 * @param mode    where the client asked the worker to run it; {@code default} leaves it to the worker
 * @param ranIn   where it ran ({@code processes} or {@code threads}), once done
 * @param cache   what the result cache did (issue 21); null for a task stored before it existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskStatus(String id,
                         TaskState status,
                         Instant createdAt,
                         Instant updatedAt,
                         double scale,
                         String ops,
                         String variant,
                         ExecutionMode mode,
                         ImageInfo input,
                         ImageInfo output,
                         ExecutionMode ranIn,
                         ErrorInfo error,
                         Timeline timeline,
                         TaskCache cache) {

    /** A status without cache information (records written before the cache existed). */
    public TaskStatus(String id, TaskState status, Instant createdAt, Instant updatedAt, double scale, String ops,
                      String variant, ExecutionMode mode, ImageInfo input, ImageInfo output, ExecutionMode ranIn,
                      ErrorInfo error, Timeline timeline) {
        this(id, status, createdAt, updatedAt, scale, ops, variant, mode, input, output, ranIn, error, timeline, null);
    }

    public static TaskStatus queued(String id, double scale, OpChain ops, ExecutionMode mode, Instant now) {
        return new TaskStatus(id, TaskState.QUEUED, now, now, scale, ops.toString(), ops.variantName(), mode, null,
                null, null, null, Timeline.startingAt(now));
    }

    /** This task queued again as it was first asked for, for a front that restarts with it unfinished. */
    public TaskStatus requeued() {
        return new TaskStatus(id, TaskState.QUEUED, createdAt, createdAt, scale, ops, variant, mode, null, null,
                null, null, Timeline.startingAt(createdAt), cache == null ? null : cache.requested());
    }

    TaskStatus with(TaskState newState, Instant now) {
        return new TaskStatus(id, newState, createdAt, now, scale, ops, variant, mode, input, output, ranIn, error,
                timeline.entering(newState, now), cache);
    }

    TaskStatus withInput(ImageInfo info) {
        return new TaskStatus(id, status, createdAt, updatedAt, scale, ops, variant, mode, info, output, ranIn, error,
                timeline, cache);
    }

    TaskStatus withCache(TaskCache newCache) {
        return new TaskStatus(id, status, createdAt, updatedAt, scale, ops, variant, mode, input, output, ranIn, error,
                timeline, newCache);
    }

    public TaskStatus done(ImageInfo info, ExecutionMode ranIn, Instant now) {
        return new TaskStatus(id, TaskState.DONE, createdAt, now, scale, ops, variant, mode, input, info, ranIn, null,
                timeline.entering(TaskState.DONE, now), cache);
    }

    TaskStatus failed(ErrorInfo info, Instant now) {
        return new TaskStatus(id, TaskState.FAILED, createdAt, now, scale, ops, variant, mode, input, null, null, info,
                timeline.entering(TaskState.FAILED, now), cache);
    }
}
