package io.graypipe.front.http;

import io.graypipe.front.task.Batch;
import io.graypipe.front.task.TaskStatus;


/**
 * {@code GET /batches/{id}/events}: a {@code progress} event with the whole batch at once, then a {@code task}
 * event per state change of any of its tasks (that task's status and the batch figures), and a last
 * {@code done} event with the whole batch when every task is final.
 */
final class BatchEvents {
    /** The data of a {@code task} event: the task that changed and the batch's figures. */
    record TaskEvent(TaskStatus task, Batch.BatchStatus batch) {
    }

    private BatchEvents() {
    }

    static void stream(Batch batch, EventStream stream) {
        Batch.Subscriber subscriber = (task, status) -> {
            if (task == null) {
                stream.send("progress", status);
            } else {
                stream.send("task", new TaskEvent(task, status.summary()));
            }
            if (status.finished()) {
                stream.send("done", status);
                stream.end();
            }
        };
        stream.onClose(() -> batch.unsubscribe(subscriber));
        batch.subscribe(subscriber);
    }
}
