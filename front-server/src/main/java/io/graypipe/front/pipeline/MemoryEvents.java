package io.graypipe.front.pipeline;

import io.graypipe.front.task.Batch;
import io.graypipe.front.task.BatchChange;
import io.graypipe.front.task.EventSink;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskStatus;

import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * The event feeds of tasks and batches this front holds in memory: its sync tasks, and on one machine every task
 * and batch. Task events carry their number (in the task's life, or in the batch's) as {@code id:}, so a client
 * that reconnects with {@code Last-Event-ID} gets exactly the events it missed.
 */
public final class MemoryEvents {
    private MemoryEvents() {
    }

    /**
     * The task's current status at once (or, resuming, each state it entered after {@code lastEventId}), then
     * one event per state change, named after the state; ends after the final state.
     */
    public static Consumer<EventSink> task(Task task, String lastEventId) {
        return sink -> {
            ObjIntConsumer<TaskStatus> subscriber = (status, event) -> {
                sink.send(Integer.toString(event), status.status().label(), status);
                if (status.status().isFinal()) {
                    sink.end();
                }
            };
            sink.onClose(() -> task.unfollow(subscriber));
            if (!task.follow(eventNumber(lastEventId), subscriber)) {
                // The task was final: what there was to send went out above, on this thread (nothing, when resuming
                // after the final event). Ending on a later look at the status would race the thread that delivers
                // the final event, and could end the stream before that event is written.
                sink.end();
            }
        };
    }

    /**
     * {@code progress} with the whole batch at once (not when resuming), a {@code task} event per state change of
     * any of its tasks (that task's status and the batch figures; id: its number in the batch), and {@code done}
     * with the whole batch when every task is final. Resuming after {@code lastEventId}, the task events after it.
     */
    public static Consumer<EventSink> batch(Batch batch, String lastEventId) {
        return sink -> {
            Batch.NumberedSubscriber subscriber = (event, task, status) -> {
                if (task == null) {
                    if (!status.finished() || lastEventId == null) {
                        sink.send(null, "progress", status);
                    }
                } else {
                    sink.send(Integer.toString(event), "task", new BatchChange(task, status.summary()));
                }
                if (status.finished()) {
                    sink.send(null, "done", status);
                    sink.end();
                }
            };
            sink.onClose(() -> batch.unfollow(subscriber));
            batch.follow(eventNumber(lastEventId), subscriber);
        };
    }

    /** The number of a task event id this front gave; 0 (from the start) for none or one it did not give. */
    private static int eventNumber(String lastEventId) {
        if (lastEventId == null || !lastEventId.strip().matches("\\d{1,9}")) {
            return 0;
        }
        return Integer.parseInt(lastEventId.strip());
    }
}
