package io.graypipe.front.task;

/**
 * Where the events of a task or a batch go: one Server-Sent Events response. Calls may come from any thread, but
 * one stream's calls never overlap, so events arrive in order. Lives here so that the code that follows a shared
 * store's event streams (pipeline) can write to a response it knows nothing else about.
 */
public interface EventSink {
    /**
     * Sends one event whose data is {@code data} as JSON.
     *
     * @param id the event's id, which a reconnecting client sends back as {@code Last-Event-ID}; null for none
     */
    void send(String id, String event, Object data);

    /** Ends the stream. Only the first call counts. */
    void end();

    /** Runs {@code action} when the client goes away, whether or not the stream has ended. */
    void onClose(Runnable action);
}
