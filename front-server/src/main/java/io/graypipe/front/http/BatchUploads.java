package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.SharedTasks;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.BatchStore;
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
 * and variant, grouped in a batch; with {@code batch=ID} they join the open batch {@code ID} made by
 * {@code POST /batches} instead. Files that cannot be accepted (a full queue or data directory) are listed with
 * their error instead of an id; if none is accepted, the answer is the first refusal.
 *
 * <p>With a shared store ({@code --store}) a batch is made whole by one upload: open batches live in one front's
 * memory, so {@code POST /batches}, {@code batch=ID}, {@code /close} and {@code /archive} answer
 * {@code batches_not_shared} (501) there.
 */
public final class BatchUploads {
    private final DurableTasks durableTasks;
    private final BatchStore batches;
    private final SharedTasks shared;

    /**
     * @param durableTasks where each file's task goes without a shared store
     * @param batches      where batches live without a shared store
     * @param shared       the store shared with other fronts ({@code --store}), which then takes the tasks and holds
     *                     the batches; or null
     */
    public BatchUploads(DurableTasks durableTasks, BatchStore batches, SharedTasks shared) {
        this.durableTasks = durableTasks;
        this.batches = batches;
        this.shared = shared;
    }

    /** Where {@code POST /tasks} puts an accepted upload. */
    AsyncTasks accepting() {
        return shared != null ? shared : durableTasks;
    }

    public BatchStore store() {
        return batches;
    }

    /**
     * Refuses open batches and archives under a shared store ({@code shared} not null), whose batches are written
     * once, whole, by one upload (see the class comment).
     */
    static void requireOpenBatches(SharedTasks shared) {
        if (shared != null) {
            throw new FrontException(ErrorCode.BATCHES_NOT_SHARED, "open batches and their archives (POST /batches, "
                    + "POST /tasks?batch=ID, /close, /archive) are not offered with a shared store (--store); send "
                    + "all the files of a batch in one POST /tasks and fetch each task's result");
        }
    }

    /**
     * Stores one task per file and variant (file by file, each file's variants in the order given), off the event
     * loop, and answers once all are on disk or refused: in a new batch when {@code joining} is null, else in
     * {@code joining}.
     *
     * @param filename the {@code filename} parameter, naming the file of a one-file (e.g. raw) upload; or null
     */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, List<ProcessingOptions> variants, String filename,
                                               Batch joining) {
        List<String> names = new ArrayList<>();
        List<ProcessingOptions> variantOfTask = new ArrayList<>();
        List<CompletableFuture<Task>> stored = new ArrayList<>();
        for (Upload file : files) {
            stored.addAll(accepting().accept(file, variants));
            for (ProcessingOptions variant : variants) {
                names.add(filename != null && !filename.isBlank() && files.size() == 1 ? filename
                        : file.filename() == null ? "" : file.filename());
                variantOfTask.add(variant);
            }
        }
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> answer(names, variantOfTask, stored, joining, files.get(0).owner()))
                .thenCompose(answer -> answer);
    }

    /** The open batch {@code id}, or the refusal of joining it: not offered, not found, or closed. */
    Batch joinable(String id) {
        requireOpenBatches(shared);
        Batch batch = batches.find(id).orElseThrow(() -> new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch "
                + HttpResponses.clip(id) + "; create one with POST /batches (batches expire after their TTL)"));
        if (batch.closed()) {
            throw closed(batch);
        }
        return batch;
    }

    private CompletableFuture<FullHttpResponse> answer(List<String> names, List<ProcessingOptions> variants,
                                                       List<CompletableFuture<Task>> stored, Batch joining,
                                                       ClientId owner) {
        List<Batch.Member> accepted = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        FrontException firstRefusal = null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ProcessingOptions variant = variants.get(i);
            try {
                Task task = stored.get(i).join();
                Batch.Member member = new Batch.Member(task, name, variant.ops().variantName(),
                        Batch.modeLabel(variant.mode()));
                if (joining != null && !joining.add(member)) {
                    // Closed while this body was stored: the task must not run outside the batch it was sent to.
                    durableTasks.delete(task);
                    throw closed(joining);
                }
                accepted.add(member);
                entries.add(Entry.accepted(name, task));
            } catch (CompletionException | FrontException e) {
                FrontException refusal = DurableTasks.asFrontException(e);
                firstRefusal = firstRefusal == null ? refusal : firstRefusal;
                entries.add(Entry.refused(name, variant, refusal));
            }
        }
        if (accepted.isEmpty()) {
            return CompletableFuture.completedFuture(HttpResponses.error(firstRefusal));
        }
        CompletableFuture<String> batchId = joining != null ? CompletableFuture.completedFuture(joining.id())
                : shared != null ? shared.createBatch(accepted.stream().map(Batch.Member::task).toList(),
                        accepted.stream().map(Batch.Member::filename).toList(), owner)
                : CompletableFuture.completedFuture(batches.create(accepted, owner).id());
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

    private static FrontException closed(Batch batch) {
        return new FrontException(ErrorCode.BATCH_CLOSED, "batch " + batch.id()
                + " is closed and takes no more tasks; create a new one with POST /batches");
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
