package io.graypipe.front.http;

import io.graypipe.front.ApiException;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.task.Task;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks} with several files: one task per file, grouped in a batch. Files the pipeline refuses
 * (a full queue) are listed with their error instead of an id; if it refuses all of them, so does the answer.
 */
public final class BatchUploads {
    private final ImagePipeline pipeline;
    private final BatchStore batches;

    public BatchUploads(ImagePipeline pipeline, BatchStore batches) {
        this.pipeline = pipeline;
        this.batches = batches;
    }

    public BatchStore store() {
        return batches;
    }

    FullHttpResponse submit(List<Upload> files, ProcessingOptions options) {
        List<Task> accepted = new ArrayList<>();
        List<String> acceptedNames = new ArrayList<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        ApiException firstRefusal = null;
        for (Upload file : files) {
            String name = file.filename() == null ? "" : file.filename();
            try {
                Task task = pipeline.submit(file, options);
                accepted.add(task);
                acceptedNames.add(name);
                entries.add(taskEntry(name, task));
            } catch (ApiException e) {
                firstRefusal = firstRefusal == null ? e : firstRefusal;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("filename", name);
                entry.put("error", Map.of("code", e.error().code(), "message", e.getMessage()));
                entries.add(entry);
            }
        }
        if (accepted.isEmpty()) {
            throw firstRefusal;
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
