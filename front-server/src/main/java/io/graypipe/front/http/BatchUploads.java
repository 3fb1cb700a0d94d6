package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchStore;
import io.graypipe.front.pipeline.DurableTasks;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpChainException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /tasks} with several files: one durable task per file, grouped in a batch; and
 * {@code POST /tasks?batch=ID}: the file(s) join the open batch {@code ID} made by {@code POST /batches}. Files that
 * cannot be accepted (a full queue or data directory) are listed with their error instead of an id; if none is
 * accepted, the answer is the first refusal.
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

    /**
     * Stores every file as a task, off the event loop, and answers once all are on disk or refused: in a new
     * batch when {@code joining} is null, else in {@code joining}.
     *
     * @param placement the variant and mode the tasks are filed under in the batch
     */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, ProcessingOptions options, Placement placement,
                                               Batch joining) {
        List<CompletableFuture<Task>> stored = files.stream().map(file -> durableTasks.accept(file, options)).toList();
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> answer(files, stored, placement, joining));
    }

    /** The open batch {@code id}, or the refusal of joining it: not found, or closed. */
    Batch joinable(String id) {
        Batch batch = batches.find(id).orElseThrow(() -> new FrontException(ErrorCode.BATCH_NOT_FOUND, "no batch "
                + HttpResponses.clip(id) + "; create one with POST /batches (batches expire after their TTL)"));
        if (batch.closed()) {
            throw closed(batch);
        }
        return batch;
    }

    private FullHttpResponse answer(List<Upload> files, List<CompletableFuture<Task>> stored, Placement placement,
                                    Batch joining) {
        List<Batch.Member> accepted = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        FrontException firstRefusal = null;
        for (int i = 0; i < files.size(); i++) {
            String name = placement.filename() != null && files.size() == 1 ? placement.filename()
                    : files.get(i).filename() == null ? "" : files.get(i).filename();
            try {
                Task task = stored.get(i).join();
                Batch.Member member = new Batch.Member(task, name, placement.variant(), placement.mode());
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
                entries.add(Entry.refused(name, refusal));
            }
        }
        if (accepted.isEmpty()) {
            return HttpResponses.error(firstRefusal);
        }
        Batch batch = joining != null ? joining : batches.create(accepted);
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, new Accepted(batch.id(),
                "/batches/" + batch.id(), "/batches/" + batch.id() + "/events", entries));
        response.headers().set(HttpHeaderNames.LOCATION, "/batches/" + batch.id());
        return response;
    }

    private static FrontException closed(Batch batch) {
        return new FrontException(ErrorCode.BATCH_CLOSED, "batch " + batch.id()
                + " is closed and takes no more tasks; create a new one with POST /batches");
    }

    /**
     * Where a batch files an upload's tasks.
     *
     * @param variant  the op chain's folder name ({@code gray} without ops)
     * @param mode     {@code processes} or {@code threads}; null for the worker's own
     * @param filename the {@code filename} parameter, which names the file of a one-file (e.g. raw) upload; null to
     *                 keep the body's names
     */
    record Placement(String variant, String mode, String filename) {
        /** Reads {@code ops}, {@code mode} and {@code filename} from the request's parameters. */
        static Placement of(Map<String, String> params) {
            String variant;
            try {
                variant = OpChain.parse(params.getOrDefault("ops", "")).variantName();
            } catch (OpChainException e) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, e.getMessage());
            }
            String modeText = params.get("mode");
            ExecutionMode mode = modeText == null ? null : ExecutionMode.parse(modeText.strip());
            String filename = params.get("filename");
            return new Placement(variant, mode == null ? null : mode.label(),
                    filename == null || filename.isBlank() ? null : filename);
        }
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
