package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.SharedTasks;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /tasks} with several files: one durable task per file, grouped in a batch. Files that cannot be
 * accepted (a full queue or data directory) are listed with their error instead of an id; if none is accepted,
 * the answer is the first refusal.
 */
public final class BatchUploads {
    private final AsyncTasks accepting;
    private final BatchStore batches;
    private final SharedTasks shared;

    /**
     * @param accepting where each file's task goes
     * @param batches   where batches live without a shared store
     * @param shared    the store shared with other fronts ({@code --store}), which then holds the batches; or null
     */
    public BatchUploads(AsyncTasks accepting, BatchStore batches, SharedTasks shared) {
        this.accepting = accepting;
        this.batches = batches;
        this.shared = shared;
    }

    AsyncTasks accepting() {
        return accepting;
    }

    public BatchStore store() {
        return batches;
    }

    /** Stores every file as a task, off the event loop, and answers once all are on disk or refused. */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, ProcessingOptions options) {
        List<CompletableFuture<Task>> stored = files.stream().map(file -> accepting.accept(file, options)).toList();
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> answer(files, stored)).thenCompose(answer -> answer);
    }

    private CompletableFuture<FullHttpResponse> answer(List<Upload> files, List<CompletableFuture<Task>> stored) {
        List<Task> accepted = new ArrayList<>();
        List<String> acceptedNames = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        FrontException firstRefusal = null;
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).filename() == null ? "" : files.get(i).filename();
            try {
                Task task = stored.get(i).join();
                accepted.add(task);
                acceptedNames.add(name);
                entries.add(Entry.accepted(name, task));
            } catch (CompletionException e) {
                FrontException refusal = DurableTasks.asFrontException(e);
                firstRefusal = firstRefusal == null ? refusal : firstRefusal;
                entries.add(Entry.refused(name, refusal));
            }
        }
        if (accepted.isEmpty()) {
            return CompletableFuture.completedFuture(HttpResponses.error(firstRefusal));
        }
        CompletableFuture<String> batchId = shared != null ? shared.createBatch(accepted, acceptedNames)
                : CompletableFuture.completedFuture(batches.create(accepted, acceptedNames).id());
        return batchId.handle((id, error) -> {
            if (error != null) {
                return HttpResponses.error(DurableTasks.asFrontException(error));
            }
            FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, new Accepted(id,
                    "/batches/" + id, "/batches/" + id + "/events", entries));
            response.headers().set(HttpHeaderNames.LOCATION, "/batches/" + id);
            return response;
        });
    }

    /** The 202 body of a batch. */
    record Accepted(String batchId, String batchUrl, String eventsUrl, List<Entry> tasks) {
    }

    /** One file of a batch: its task and links when accepted, its error when refused. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String filename, String id, TaskState status, String statusUrl, String resultUrl, String eventsUrl,
                 ErrorInfo error) {
        static Entry accepted(String filename, Task task) {
            return new Entry(filename, task.id(), task.status().status(), "/tasks/" + task.id(),
                    "/tasks/" + task.id() + "/result", "/tasks/" + task.id() + "/events", null);
        }

        static Entry refused(String filename, FrontException refusal) {
            return new Entry(filename, null, null, null, null, null, ErrorInfo.of(refusal));
        }
    }
}
