package io.graypipe.front.store.redis;

/**
 * One event of a task or a batch, as its Redis Stream holds it.
 *
 * @param id     the stream entry id: the SSE {@code id:}, which a reconnecting client sends back as
 *               {@code Last-Event-ID}; it orders events and survives any front
 * @param event  the state the task entered, as {@code TaskState.label()}
 * @param taskId the task that changed (for a batch's events, which task of the batch)
 * @param status that task's status as JSON, exactly as {@code GET /tasks/{id}} shows it
 */
public record StoredEvent(String id, String event, String taskId, byte[] status) {
}
