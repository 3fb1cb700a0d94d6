package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the result cache did for a task, as {@code GET /tasks/{id}} shows it.
 *
 * @param policy what the request allowed: {@code use}, {@code bypass} or {@code off}
 * @param scope  whose entries it may share: empty (omitted) for every client, else the client's identity
 * @param result {@code hit} or {@code miss}, once the task has looked (a bypass or off is a miss)
 * @param etag   the strong ETag of its result (the cache key), once known
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TaskCache(String policy, String scope, String result, String etag) {
    public static final String HIT = "hit";
    public static final String MISS = "miss";

    public boolean hit() {
        return HIT.equals(result);
    }

    /** As asked for, before the task looked: what a task run again starts from. */
    public TaskCache requested() {
        return new TaskCache(policy, scope, null, null);
    }
}
