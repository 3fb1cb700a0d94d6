package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.AsyncTasks;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Batch;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.ErrorInfo;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskState;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /tasks} with several files or several {@code ops} values (variants): one durable task per file
 * and variant, grouped in a batch; with {@code batch=ID} they join the open batch {@code ID} made by
 * {@code POST /batches} instead. Files that cannot be accepted (a full queue or data directory) are listed with
 * their error instead of an id; if none is accepted, the answer is the first refusal.
 *
 */
public final class BatchUploads {
    private final AsyncTasks async;

    /** @param async where each file's task goes, and where batches live */
    public BatchUploads(AsyncTasks async) {
        this.async = async;
    }

    /** Where {@code POST /tasks} puts an accepted upload. */
    AsyncTasks accepting() {
        return async;
    }

    /**
     * Stores one task per file and variant (file by file, each file's variants in the order given), off the event
     * loop, and answers once all are stored or refused: in a new batch when {@code joining} is null, else in the
     * open batch {@code joining}, which they join one by one in order.
     *
     * @param filename the {@code filename} parameter, naming the file of a one-file (e.g. raw) upload; or null
     */
    CompletableFuture<FullHttpResponse> submit(List<Upload> files, List<ProcessingOptions> variants, String filename,
                                               String joining) {
        List<String> names = new ArrayList<>();
        List<ProcessingOptions> variantOfTask = new ArrayList<>();
        List<CompletableFuture<Task>> stored = new ArrayList<>();
        for (Upload file : files) {
            stored.addAll(async.accept(file, variants));
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

    /** Refuses at once, where that needs no round trip, a batch that cannot be joined. */
    void checkJoinable(String id) {
        async.checkJoinable(id);
    }

    private CompletableFuture<FullHttpResponse> answer(List<String> names, List<ProcessingOptions> variants,
                                                       List<CompletableFuture<Task>> stored, String joining,
                                                       ClientId owner) {
        List<Batch.Member> accepted = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        List<FrontException> refusals = new ArrayList<>();
        // One task after the other, so they join an open batch in upload order; each step handles its own refusal.
        CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ProcessingOptions variant = variants.get(i);
            CompletableFuture<Task> task = stored.get(i);
            steps = steps.thenCompose(ignored -> admit(task, name, variant, joining).handle((member, error) -> {
                if (error == null) {
                    accepted.add(member);
                    entries.add(Entry.accepted(name, member.task()));
                } else {
                    FrontException refusal = AsyncTasks.failure(error);
                    refusals.add(refusal);
                    entries.add(Entry.refused(name, variant, refusal));
                }
                return null;
            }));
        }
        return steps.thenCompose(done -> {
            if (accepted.isEmpty()) {
                return CompletableFuture.completedFuture(HttpResponses.error(refusals.get(0)));
            }
            CompletableFuture<String> batchId = joining != null ? CompletableFuture.completedFuture(joining)
                    : async.createBatch(accepted, owner);
            return batchId.handle((id, error) -> {
                if (error != null) {
                    return HttpResponses.error(AsyncTasks.failure(error));
                }
                FullHttpResponse response = HttpResponses.json(HttpResponseStatus.ACCEPTED, new Accepted(id,
                        "/batches/" + id, "/batches/" + id + "/events", entries));
                response.headers().set(HttpHeaderNames.LOCATION, "/batches/" + id);
                return response;
            });
        });
    }

    /**
     * The member a stored task makes, once it joined the open batch {@code joining} (if any). A task whose batch
     * closed or went meanwhile is discarded: it must not run outside the batch it was sent to.
     */
    private CompletableFuture<Batch.Member> admit(CompletableFuture<Task> stored, String name,
                                                  ProcessingOptions variant, String joining) {
        return stored.thenCompose(task -> {
            Batch.Member member = new Batch.Member(task, name, variant.ops().variantName(),
                    Batch.modeLabel(variant.mode()));
            if (joining == null) {
                return CompletableFuture.completedFuture(member);
            }
            return async.join(joining, member).handle((joined, error) -> {
                if (error != null || !joined) {
                    async.discard(task);
                    throw error != null ? AsyncTasks.failure(error) : AsyncTasks.batchClosed(joining);
                }
                return member;
            });
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
