package io.graypipe.front.task;

import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;


/**
 * The one place task state lives. Ids carry 128 random bits. Finished tasks are kept for the result TTL (members
 * of a batch as long as their batch), then forgotten by {@link #sweep()}, after which they answer 404 like any
 * unknown id.
 */
public final class TaskRegistry {
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration resultTtl;
    private final List<Consumer<Task>> creationListeners = new CopyOnWriteArrayList<>();
    private volatile Consumer<String> forgetListener = id -> { };

    public TaskRegistry(Clock clock, Duration resultTtl) {
        this.clock = clock;
        this.resultTtl = resultTtl;
    }

    /** A new in-memory task, for a sync request: scale, then run {@code ops} in {@code mode}. */
    public Task create(double scale, OpChain ops, ExecutionMode mode, Duration deadline) {
        return create(scale, ops, mode, deadline, ClientId.UNKNOWN);
    }

    /** A new in-memory task for a sync request of {@code owner}. */
    public Task create(double scale, OpChain ops, ExecutionMode mode, Duration deadline, ClientId owner) {
        return create(scale, ops, mode, deadline, false, owner);
    }

    /** A new task whose record and files the caller keeps in the data directory. */
    public Task createDurable(double scale, OpChain ops, ExecutionMode mode, Duration deadline) {
        return createDurable(scale, ops, mode, deadline, ClientId.UNKNOWN);
    }

    /** A new durable task of {@code owner}. */
    public Task createDurable(double scale, OpChain ops, ExecutionMode mode, Duration deadline, ClientId owner) {
        return create(scale, ops, mode, deadline, true, owner);
    }

    private Task create(double scale, OpChain ops, ExecutionMode mode, Duration deadline, boolean durable,
                        ClientId owner) {
        String id = newId(owner);
        Instant now = clock.instant();
        Task task = new Task(TaskStatus.queued(id, scale, ops, mode, now), clock, System.nanoTime() + deadline.toNanos(),
                durable);
        tasks.put(id, task);
        creationListeners.forEach(listener -> listener.accept(task));
        return task;
    }

    /**
     * A new async task that this registry does not hold: with a shared store (--store) the store holds it, and
     * whichever front takes it from the work queue runs its own copy.
     */
    public Task detached(double scale, OpChain ops, ExecutionMode mode, Duration deadline, ClientId owner) {
        return new Task(TaskStatus.queued(newId(owner), scale, ops, mode, clock.instant()), clock,
                System.nanoTime() + deadline.toNanos(), true);
    }

    /** 32 hex digits that carry {@code owner} ({@link TaskIds}): the id of a task, or of a batch. */
    public String newId(ClientId owner) {
        return TaskIds.mint(random, owner);
    }

    /** Calls {@code listener} with every task created from now on, before anyone else can see it change. */
    public void onCreate(Consumer<Task> listener) {
        creationListeners.add(listener);
    }

    /** Puts back a durable task read from the data directory at start, with a fresh deadline if it is unfinished. */
    public Task restore(TaskStatus status, Duration deadline) {
        Task task = new Task(status, clock, System.nanoTime() + deadline.toNanos(), true);
        if (status.status().isFinal()) {
            task.finished().complete(status);
        }
        tasks.put(status.id(), task);
        creationListeners.forEach(listener -> listener.accept(task));
        return task;
    }

    /** Called with the id of every task this store forgets, deleted or expired, so its files can go too. */
    public void onForget(Consumer<String> listener) {
        forgetListener = listener;
    }

    /** Tasks not final yet. */
    public List<Task> unfinished() {
        return tasks.values().stream().filter(task -> !task.status().status().isFinal()).toList();
    }

    public Optional<Task> find(String id) {
        return Optional.ofNullable(tasks.get(id));
    }

    /** Cancels the task if it is still pending and forgets it and its result. */
    public Optional<Task> delete(String id) {
        Task task = tasks.remove(id);
        if (task != null) {
            task.cancel();
            task.releaseResult();
            forgetListener.accept(id);
        }
        return Optional.ofNullable(task);
    }

    /** Drops a result that was already handed to its client; the status stays until the TTL. */
    public void forgetResult(Task task) {
        task.releaseResult();
    }

    /** Fails every unfinished task whose deadline has passed, whatever stage it is stuck in. */
    public void failOverdue() {
        for (Task task : tasks.values()) {
            if (!task.status().status().isFinal() && task.nanosLeft() <= 0) {
                task.fail(new io.graypipe.front.error.FrontException(io.graypipe.front.error.ErrorCode.DEADLINE_EXCEEDED,
                        "the task did not finish before its deadline; retry later or with a smaller image"));
            }
        }
    }

    /**
     * Forgets finished tasks older than the TTL, except members of a batch not forgotten yet: a batch that runs
     * longer than the TTL still hands out every result in its archive, until the TTL after it finished.
     */
    public void sweep() {
        Instant cutoff = clock.instant().minus(resultTtl);
        tasks.values().removeIf(task -> {
            TaskStatus status = task.status();
            if (status.status().isFinal() && status.updatedAt().isBefore(cutoff) && !task.inBatch()) {
                task.releaseResult();
                forgetListener.accept(status.id());
                return true;
            }
            return false;
        });
    }

    public Map<TaskState, Long> countByState() {
        Map<TaskState, Long> counts = new java.util.EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) {
            counts.put(state, 0L);
        }
        tasks.values().forEach(task -> counts.merge(task.status().status(), 1L, Long::sum));
        return counts;
    }

    public Duration resultTtl() {
        return resultTtl;
    }
}
