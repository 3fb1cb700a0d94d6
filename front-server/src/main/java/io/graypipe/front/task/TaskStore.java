package io.graypipe.front.task;

import io.graypipe.front.image.ImageSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * Where durable (async) tasks live so they survive the front: one record, one upload and one result per task,
 * and a byte budget ({@code --max-data-bytes}). {@link DataDirTaskStore} keeps them in a local directory; a store
 * shared by several fronts (Redis) is the next implementation.
 *
 * <p><b>Threads.</b> Every method may block: on a disk today, on a network round trip in a shared store. Callers
 * run them on the storage executor (or at start-up, before the front listens), never on an event loop;
 * {@code DurableTasks} is the only caller and owns that rule. Implementations must be safe for concurrent calls
 * from several storage threads. An {@link IOException} means the call did not take effect.
 *
 * <p><b>Atomicity.</b> Each write is all-or-nothing: after a crash a reader sees the old value or the new one.
 */
public interface TaskStore extends AutoCloseable {

    /** Where the tasks are, for log lines: a directory, a server address. */
    String location();

    /** Bytes of uploads and results held or reserved. */
    long usedBytes();

    /** The budget: {@code --max-data-bytes}. */
    long maxBytes();

    /** Claims {@code bytes} of the budget for an upload; false, claiming nothing, when they do not fit. */
    boolean reserve(long bytes);

    /** Gives back budget claimed by {@link #reserve} for a write that did not happen. */
    void unreserve(long bytes);

    /** Stores the upload of task {@code id}, read from {@code source}; its bytes must have been reserved. */
    void writeUpload(String id, InputStream source) throws IOException;

    /** Stores the result of task {@code id}; counted against the budget whether or not it fits. */
    void writeResult(String id, byte[] image) throws IOException;

    /** Stores or replaces the record of {@code record.task().id()}. */
    void writeRecord(TaskRecord record) throws IOException;

    /** The stored upload of task {@code id}, readable until {@link #deleteUpload}. */
    ImageSource upload(String id);

    byte[] readResult(String id) throws IOException;

    boolean hasResult(String id);

    boolean hasUpload(String id);

    /** Deletes the upload of task {@code id}, once it is no longer needed. */
    void deleteUpload(String id);

    /** Deletes everything of task {@code id}: the record first, so a crash midway leaves only orphans. */
    void deleteTask(String id);

    /** Every readable task record; one that cannot be read is logged and deleted with its files. */
    List<TaskRecord> readRecords() throws IOException;

    /** Deletes uploads and results whose task has no record; returns how many. */
    int sweepOrphans(Set<String> knownIds) throws IOException;

    /** Releases the store (a directory lock, a connection). */
    @Override
    void close();
}
