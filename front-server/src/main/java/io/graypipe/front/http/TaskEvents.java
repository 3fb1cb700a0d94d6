package io.graypipe.front.http;

import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskStatus;

import java.util.function.Consumer;

/**
 * {@code GET /tasks/{id}/events}: the task's current status at once, then one event per state change, named
 * after the state, whose data is the status JSON (timestamps and stage durations included). Ends after the
 * final state.
 */
final class TaskEvents {
    private TaskEvents() {
    }

    static void stream(Task task, EventStream stream) {
        Consumer<TaskStatus> subscriber = status -> {
            stream.send(status.status().label(), status);
            if (status.status().isFinal()) {
                stream.end();
            }
        };
        stream.onClose(() -> task.unsubscribe(subscriber));
        task.subscribe(subscriber);
    }
}
