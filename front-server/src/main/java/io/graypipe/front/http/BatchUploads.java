package io.graypipe.front.http;

import io.graypipe.front.ApiException;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.task.DurableTasks;
import io.graypipe.front.task.Task;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /tasks} with several files: one durable task per file, grouped in a batch. Files that cannot be
 * accepted (a full queue or data directory) are listed with their error instead of an id; if none is accepted,
 * the answer is the first refusal.
 */
public final class BatchUploads {
    private final DurableTasks durableTasks;
    private final BatchStore batches;

    public BatchUploads(DurableTasks durableTasks, BatchStore batches) {
        this.durableTasks = durableTasks;
        this.batches = batches;
    }

    public BatchStore store() {
        return batches;
    }

    /** Stores every file as a task, off the event loop, and answers once all are on disk or refused. */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, ProcessingOptions options) {
        List<CompletableFuture<Task>> stored = files.stream().map(file -> durableTasks.accept(file, options)).toList();
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> answer(files, stored));
    }

    private FullHttpResponse answer(List<Upload> files, List<CompletableFuture<Task>> stored) {
        List<Task> accepted = new ArrayList<>();
        List<String> acceptedNames = new ArrayList<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        ApiException firstRefusal = null;
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).filename() == null ? "" : files.get(i).filename();
            try {
                Task task = stored.get(i).join();
                accepted.add(task);
                acceptedNames.add(name);
                entries.add(taskEntry(name, task));
            } catch (CompletionException e) {
                ApiException refusal = DurableTasks.asApiException(e);
                firstRefusal = firstRefusal == null ? refusal : firstRefusal;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("filename", name);
                entry.put("error", Map.of("code", refusal.error().code(), "message", refusal.getMessage()));
                entries.add(entry);
            }
        }
        if (accepted.isEmpty()) {
            return HttpResponses.error(firstRefusal);
        }
        Batch batch = batches.create(accepted, acceptedNames);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("batch_id", batch.id());
        body.put("batch_url", "/batches/" + batch.id());
        body.put("events_url", "/batches/" + batch.id() + "/events");
        body.put("tasks", entries);
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, body);
        response.headers().set(HttpHeaderNames.LOCATION, "/batches/" + batch.id());
        return response;
    }

    private static Map<String, Object> taskEntry(String filename, Task task) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("filename", filename);
        entry.put("id", task.id());
        entry.put("status", task.status().status());
        entry.put("status_url", "/tasks/" + task.id());
        entry.put("result_url", "/tasks/" + task.id() + "/result");
        entry.put("events_url", "/tasks/" + task.id() + "/events");
        return entry;
    }
}
