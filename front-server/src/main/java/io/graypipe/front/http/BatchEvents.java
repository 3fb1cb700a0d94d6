package io.graypipe.front.http;

import io.graypipe.front.task.Batch;

import java.util.LinkedHashMap;
import java.util.Map;

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
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("task", task);
                data.put("batch", status.summary());
                stream.send("task", data);
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
