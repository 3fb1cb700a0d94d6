package io.graypipe.front.http;

import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchChange;


/**
 * {@code GET /batches/{id}/events}: a {@code progress} event with the whole batch at once, then a {@code task}
 * event per state change of any of its tasks (that task's status and the batch figures), and a last
 * {@code done} event with the whole batch when every task is final.
 */
final class BatchEvents {
    private BatchEvents() {
    }

    static void stream(Batch batch, EventStream stream) {
        Batch.Subscriber subscriber = (task, status) -> {
            if (task == null) {
                stream.send("progress", status);
            } else {
                stream.send("task", new BatchChange(task, status.summary()));
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
