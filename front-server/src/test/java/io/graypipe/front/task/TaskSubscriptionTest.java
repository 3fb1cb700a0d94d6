package io.graypipe.front.task;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class TaskSubscriptionTest {
    private final TaskRegistry store = new TaskRegistry(Clock.systemUTC(), Duration.ofMinutes(1));

    @Test
    void aSubscriberSeesTheCurrentStateThenEveryChangeOnceInOrder() {
        Task task = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        List<TaskState> seen = new CopyOnWriteArrayList<>();
        task.subscribe(status -> seen.add(status.status()));
        task.moveTo(TaskState.GRAYSCALE);
        task.recordInput(new ImageInfo("png", 4, 4, 10)); // not a state change: no event
        task.moveTo(TaskState.SCALING);
        task.complete(new byte[]{1}, new ImageInfo("png", 2, 2, 1), ExecutionMode.THREADS);
        task.fail(new FrontException(ErrorCode.INTERNAL, "too late")); // final already: no event
        assertEquals(List.of(TaskState.QUEUED, TaskState.GRAYSCALE, TaskState.SCALING, TaskState.DONE), seen);
    }

    @Test
    void aLateSubscriberGetsOnlyTheFinalStateWithItsTimeline() {
        Task task = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        task.moveTo(TaskState.GRAYSCALE);
        task.fail(new FrontException(ErrorCode.UNDECODABLE_IMAGE, "not an image"));
        List<TaskStatus> seen = new CopyOnWriteArrayList<>();
        task.subscribe(seen::add);
        assertEquals(1, seen.size());
        Timeline timeline = seen.get(0).timeline();
        assertEquals(TaskState.FAILED, seen.get(0).status());
        assertNotNull(timeline.grayscale());
        assertNull(timeline.scaling());
        assertNotNull(timeline.finishedAt());
    }

    @Test
    void anUnsubscribedListenerHearsNothingMore() {
        Task task = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        List<TaskState> seen = new CopyOnWriteArrayList<>();
        java.util.function.Consumer<TaskStatus> listener = status -> seen.add(status.status());
        task.subscribe(listener);
        task.unsubscribe(listener);
        task.moveTo(TaskState.GRAYSCALE);
        assertEquals(List.of(TaskState.QUEUED), seen);
    }

    @Test
    void aBatchFinishesWhenItsLastTaskDoes() {
        BatchStore batches = new BatchStore(Clock.systemUTC(), Duration.ofMinutes(1));
        Task first = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        Task second = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        Batch batch = batches.create(List.of(new Batch.Member(first, "a.png", "gray", null),
                new Batch.Member(second, "b.png", "gray", null)));
        List<Batch.BatchStatus> seen = new CopyOnWriteArrayList<>();
        batch.subscribe((task, status) -> seen.add(status));
        first.complete(new byte[]{1}, new ImageInfo("png", 1, 1, 1), ExecutionMode.THREADS);
        assertEquals(false, batch.status().finished());
        second.fail(new FrontException(ErrorCode.UNDECODABLE_IMAGE, "bad"));
        Batch.BatchStatus last = seen.get(seen.size() - 1);
        assertEquals(3, seen.size());
        assertEquals(true, last.finished());
        assertEquals(1, last.done());
        assertEquals(1, last.failed());
        assertEquals("b.png", last.tasks().get(1).filename());
    }

    @Test
    void anOpenBatchFinishesOnlyOnceClosedAndRefusesTasksAfterwards() {
        BatchStore batches = new BatchStore(Clock.systemUTC(), Duration.ofMinutes(1));
        Batch batch = batches.open();
        List<Batch.BatchStatus> seen = new CopyOnWriteArrayList<>();
        batch.subscribe((task, status) -> seen.add(status));
        Task first = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        assertEquals(true, batch.add(new Batch.Member(first, "a.png", "sepia", "threads")));
        first.complete(new byte[]{1}, new ImageInfo("png", 1, 1, 1), ExecutionMode.THREADS);
        assertEquals(false, batch.status().finished(), "all its tasks are final, but more may join");
        Task second = store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
        assertEquals(true, batch.add(new Batch.Member(second, "b.png", "sepia", "processes")));
        second.complete(new byte[]{2}, new ImageInfo("png", 1, 1, 1), ExecutionMode.THREADS);
        batch.close();
        Batch.BatchStatus last = seen.get(seen.size() - 1);
        assertEquals(true, last.finished());
        assertEquals(true, last.closed());
        assertEquals(2, last.done());
        assertEquals("processes", last.tasks().get(1).mode());
        assertEquals(false, batch.add(new Batch.Member(store.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10)), "c.png", "gray",
                null)), "a closed batch takes no task");
        assertEquals(2, batch.status().total());
    }
}
