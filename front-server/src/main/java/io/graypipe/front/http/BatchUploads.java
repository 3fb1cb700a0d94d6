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
 * {@code POST /tasks} with several files or several {@code ops} values (variants): one durable task per file
 * and variant, grouped in a batch. Files that cannot be
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

    /**
     * Stores one task per file and variant (file by file, each file's variants in the order given), off the event
     * loop, and answers once all are on disk or refused.
     */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, List<ProcessingOptions> variants) {
        List<String> names = new ArrayList<>();
        List<ProcessingOptions> variantOfTask = new ArrayList<>();
        List<CompletableFuture<Task>> stored = new ArrayList<>();
        for (Upload file : files) {
            stored.addAll(accepting.accept(file, variants));
            for (ProcessingOptions variant : variants) {
                names.add(file.filename() == null ? "" : file.filename());
                variantOfTask.add(variant);
            }
        }
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> answer(names, variantOfTask, stored)).thenCompose(answer -> answer);
    }

    private CompletableFuture<FullHttpResponse> answer(List<String> names, List<ProcessingOptions> variants,
                                                       List<CompletableFuture<Task>> stored) {
        List<Task> accepted = new ArrayList<>();
        List<String> acceptedNames = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        FrontException firstRefusal = null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            try {
                Task task = stored.get(i).join();
                accepted.add(task);
                acceptedNames.add(name);
                entries.add(Entry.accepted(name, task));
            } catch (CompletionException e) {
                FrontException refusal = DurableTasks.asFrontException(e);
                firstRefusal = firstRefusal == null ? refusal : firstRefusal;
                entries.add(Entry.refused(name, variants.get(i), refusal));
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

    /** One file and variant of a batch: its task and links when accepted, its error when refused. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String filename, String variant, String ops, String id, TaskState status, String statusUrl,
                 String resultUrl, String eventsUrl, ErrorInfo error) {
        static Entry accepted(String filename, Task task) {
            return new Entry(filename, task.status().variant(), task.status().ops(), task.id(),
                    task.status().status(), "/tasks/" + task.id(), "/tasks/" + task.id() + "/result",
                    "/tasks/" + task.id() + "/events", null);
        }

        static Entry refused(String filename, ProcessingOptions variant, FrontException refusal) {
            return new Entry(filename, variant.ops().variantName(), variant.ops().toString(), null, null, null, null,
                    null, ErrorInfo.of(refusal));
        }
    }
}
