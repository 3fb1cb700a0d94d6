package io.graypipe.batch;

import io.graypipe.batch.FrontMessages.BatchProgress;
import io.graypipe.batch.FrontMessages.TaskEvent;
import io.graypipe.batch.FrontMessages.TaskStatus;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The run's one {@code GET /batches/{id}/events} stream, read on its own thread: each task's final status,
 * handed to whoever waits for that task ({@link #finalStatus}). A task may finish before its upload's answer is
 * read, so whichever comes first creates the entry. A dropped stream is opened again; its first event holds every
 * task, so nothing finished meanwhile is missed. The stream ends with the batch's {@code done} event, once the run
 * closed the batch.
 */
final class BatchStream implements AutoCloseable {
    private static final int CONNECTION_ATTEMPTS = 5;

    private final HttpClient http;
    private final HttpRequest request;
    private final Map<String, CompletableFuture<TaskStatus>> finals = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile FrontFailure broken;

    BatchStream(HttpClient http, HttpRequest request) {
        this.http = http;
        this.request = request;
        this.reader = new Thread(this::read, "batch-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** The final status of task {@code id}, once the stream reports it. */
    CompletableFuture<TaskStatus> finalStatus(String id) {
        CompletableFuture<TaskStatus> status = finals.computeIfAbsent(id, ignored -> new CompletableFuture<>());
        FrontFailure failure = broken;
        if (failure != null) {
            status.completeExceptionally(failure);
        }
        return status;
    }

    /** Forgets a task whose final status was taken, so memory does not grow with the folder. */
    void forget(String id) {
        finals.remove(id);
    }

    private void read() {
        int failures = 0;
        while (true) {
            try {
                HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
                try (Stream<String> lines = response.body()) {
                    if (response.statusCode() != 200) {
                        throw new IOException(request.uri() + " answered " + response.statusCode());
                    }
                    if (readEvents(lines.iterator())) {
                        return;
                    }
                }
                failures = 0;
            } catch (IOException e) {
                if (++failures >= CONNECTION_ATTEMPTS) {
                    fail(new FrontFailure("connection_failed", "GET " + request.uri() + ": " + e));
                    return;
                }
            } catch (InterruptedException e) {
                fail(new FrontFailure("interrupted", "the run stopped following its batch"));
                return;
            }
        }
    }

    /** Reads events until the batch's {@code done}: true then, false if the stream ended first. */
    private boolean readEvents(Iterator<String> lines) throws IOException {
        String event = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            } else if (line.isEmpty() && data.length() > 0) {
                if ("task".equals(event)) {
                    offer(FrontClient.JSON.readValue(data.toString(), TaskEvent.class).task());
                } else {
                    BatchProgress progress = FrontClient.JSON.readValue(data.toString(), BatchProgress.class);
                    if (progress.tasks() != null) {
                        progress.tasks().forEach(item -> offer(item.task()));
                    }
                    if ("done".equals(event)) {
                        return true;
                    }
                }
                event = null;
                data.setLength(0);
            }
        }
        return false;
    }

    private void offer(TaskStatus status) {
        if (status != null && status.isFinal()) {
            finals.computeIfAbsent(status.id(), ignored -> new CompletableFuture<>()).complete(status);
        }
    }

    private void fail(FrontFailure failure) {
        broken = failure;
        finals.values().forEach(status -> status.completeExceptionally(failure));
    }

    @Override
    public void close() {
        reader.interrupt();
    }
}
