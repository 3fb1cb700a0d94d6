package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of child JVMs, each working on one request at a time. Requests wait in one bounded FIFO and go
 * to whichever child is idle, so the least busy child always gets the next one. A child that exits, stops
 * answering or outlives a request's deadline is killed and replaced; the request it held is retried once on
 * another child and only then fails with CHILD_CRASHED.
 *
 * <p>All state is guarded by {@code this}; the critical sections only move references around.
 */
final class ChildProcessPool implements ScalePool, ChildProcess.Listener {
    private static final Logger log = LoggerFactory.getLogger(ChildProcessPool.class);
    private static final int MAX_ATTEMPTS = 2;
    private static final long RESTART_BACKOFF_MAX_MILLIS = 5_000;

    private final WorkerConfig config;
    private final List<String> childCommand;
    private final ChildProcess[] children;
    private final int[] consecutiveFailures;
    private final long[] answeredBySlot;
    private final long[] restartsBySlot;
    private final Deque<PendingScale> queue = new ArrayDeque<>();
    private final Map<Long, PendingScale> inFlight = new HashMap<>();
    private final ScheduledExecutorService timer;
    private long nextId = 1;
    private long restarts;
    private boolean closed;

    ChildProcessPool(WorkerConfig config) {
        this.config = config;
        this.childCommand = childCommand(config);
        this.children = new ChildProcess[config.processes()];
        this.consecutiveFailures = new int[config.processes()];
        this.answeredBySlot = new long[config.processes()];
        this.restartsBySlot = new long[config.processes()];
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "pool-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Forks every child and waits until each has said HELLO, or {@code timeout} passes. */
    void start(Duration timeout) throws IOException, InterruptedException {
        synchronized (this) {
            for (int slot = 0; slot < children.length; slot++) {
                children[slot] = ChildProcess.start(slot, childCommand, config.maxFrameBytes(), this);
            }
        }
        timer.scheduleWithFixedDelay(this::expireOverdue, 100, 100, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (status().alive() < children.length) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("children not ready after " + timeout.toMillis() + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        log.info("pool ready: {} child processes, pids {}", children.length,
                Arrays.stream(children).map(c -> String.valueOf(c.pid())).toList());
    }

    static List<String> childCommand(WorkerConfig config) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // stdout carries frames: the JVM's own log lines (GC, JFR, warnings) must go to stderr instead.
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning:stderr");
        if (!config.childJvmOptions().isBlank()) {
            command.addAll(Arrays.asList(config.childJvmOptions().trim().split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.add(Integer.toString(config.maxFrameBytes()));
        // The child reads SHARED requests' regions from the worker's directory; "off" when the worker offers none.
        command.add(config.sharedMemory() != null ? config.sharedMemory().directory().toString() : "off");
        // The libraries the worker loaded, so children encode as its thread pool does; "off" for each it has not.
        command.addAll(config.encoders().childArguments());
        return command;
    }

    @Override
    public synchronized CompletableFuture<Message> submit(ScaleRequest request) {
        long callerId = request.requestId();
        if (closed) {
            return CompletableFuture.completedFuture(new ErrorMessage(callerId, ErrorCode.SHUTTING_DOWN,
                    "the worker is shutting down"));
        }
        if (queue.size() >= config.queueSize()) {
            return CompletableFuture.completedFuture(new ErrorMessage(callerId, ErrorCode.OVERLOADED,
                    "the worker queue is full (" + config.queueSize() + " waiting)"));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.timeoutMillis());
        PendingScale pending = new PendingScale(request.withRequestId(nextId++), callerId, deadline);
        queue.addLast(pending);
        dispatch();
        return pending.future;
    }

    /** Hands queued requests to idle children. Caller holds the lock. */
    private void dispatch() {
        for (ChildProcess child : children) {
            if (queue.isEmpty()) {
                return;
            }
            if (child != null && child.ready && child.current == null) {
                PendingScale next = queue.pollFirst();
                next.attempts++;
                child.current = next;
                inFlight.put(next.request.requestId(), next);
                child.send(next.request);
            }
        }
    }

    @Override
    public synchronized void ready(ChildProcess child) {
        consecutiveFailures[child.slot] = 0;
        notifyAll();
        dispatch();
    }

    @Override
    public synchronized void answered(ChildProcess child, Message answer) {
        PendingScale pending = child.current;
        long id = answer instanceof ScaleResult result ? result.requestId()
                : answer instanceof ErrorMessage error ? error.requestId() : -1;
        if (pending == null || pending.request.requestId() != id) {
            log.warn("child {} answered request {} it was not given; ignored", child.slot, id);
            return;
        }
        child.current = null;
        inFlight.remove(id);
        consecutiveFailures[child.slot] = 0;
        answeredBySlot[child.slot]++;
        if (answer instanceof ScaleResult result) {
            pending.complete(result.withRequestId(pending.callerId));
        } else {
            pending.complete(((ErrorMessage) answer).withRequestId(pending.callerId));
        }
        dispatch();
        notifyAll();
    }

    @Override
    public synchronized void exited(ChildProcess child) {
        if (children[child.slot] != child) {
            return;
        }
        PendingScale lost = child.current;
        child.current = null;
        if (lost != null) {
            inFlight.remove(lost.request.requestId());
            if (closed) {
                lost.fail(ErrorCode.SHUTTING_DOWN, "the worker shut down while scaling");
            } else if (lost.attempts >= MAX_ATTEMPTS) {
                lost.fail(ErrorCode.CHILD_CRASHED, "the scaling process died twice on this image");
            } else if (lost.expired(System.nanoTime())) {
                lost.fail(ErrorCode.TIMEOUT, "the request's deadline passed");
            } else {
                log.warn("child {} died holding request {}; retrying it on another child", child.slot,
                        lost.callerId);
                queue.addFirst(lost);
            }
        }
        notifyAll();
        if (closed) {
            return;
        }
        restarts++;
        restartsBySlot[child.slot]++;
        int failures = ++consecutiveFailures[child.slot];
        long delay = failures <= 1 ? 0 : Math.min(RESTART_BACKOFF_MAX_MILLIS, 100L << Math.min(failures, 10));
        log.warn("child {} (pid {}) exited; restarting it in {} ms", child.slot, child.pid(), delay);
        timer.schedule(() -> restart(child.slot), delay, TimeUnit.MILLISECONDS);
        dispatch();
    }

    private synchronized void restart(int slot) {
        if (closed) {
            return;
        }
        try {
            children[slot] = ChildProcess.start(slot, childCommand, config.maxFrameBytes(), this);
        } catch (IOException e) {
            log.error("could not fork child {}: {}", slot, e.getMessage());
            consecutiveFailures[slot]++;
            timer.schedule(() -> restart(slot), RESTART_BACKOFF_MAX_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Fails queued requests whose deadline passed, and kills children that hold one: they are hung. */
    private synchronized void expireOverdue() {
        long now = System.nanoTime();
        queue.removeIf(pending -> {
            if (pending.expired(now)) {
                pending.fail(ErrorCode.TIMEOUT, "the request waited past its deadline in the worker queue");
                return true;
            }
            return false;
        });
        for (ChildProcess child : children) {
            if (child != null && child.current != null && child.current.expired(now)) {
                PendingScale overdue = child.current;
                child.current = null;
                inFlight.remove(overdue.request.requestId());
                overdue.fail(ErrorCode.TIMEOUT, "scaling did not finish before the request's deadline");
                log.warn("child {} (pid {}) overran request {}'s deadline; killing it", child.slot, child.pid(),
                        overdue.callerId);
                child.kill();
            }
        }
        notifyAll();
    }

    @Override
    public synchronized PoolStatus status() {
        int alive = 0;
        int busy = 0;
        List<WorkerStatus.Child> slots = new ArrayList<>(children.length);
        for (int slot = 0; slot < children.length; slot++) {
            ChildProcess child = children[slot];
            boolean up = child != null && child.ready;
            boolean working = up && child.current != null;
            alive += up ? 1 : 0;
            busy += working ? 1 : 0;
            slots.add(new WorkerStatus.Child(up, working, answeredBySlot[slot], restartsBySlot[slot]));
        }
        return new PoolStatus(children.length, alive, busy, queue.size(), restarts, 0, 0, slots);
    }

    /** Process ids of the live children by slot, for tests that kill one. */
    synchronized List<Long> childPids() {
        List<Long> pids = new ArrayList<>();
        for (ChildProcess child : children) {
            if (child != null) {
                pids.add(child.pid());
            }
        }
        return pids;
    }

    @Override
    public synchronized boolean drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() || !inFlight.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public void close() {
        List<PendingScale> abandoned;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            abandoned = new ArrayList<>(queue);
            abandoned.addAll(inFlight.values());
            queue.clear();
            inFlight.clear();
        }
        timer.shutdownNow();
        abandoned.forEach(p -> p.fail(ErrorCode.SHUTTING_DOWN, "the worker shut down before scaling finished"));
        for (ChildProcess child : children) {
            if (child != null) {
                child.closeInput();
            }
        }
        for (ChildProcess child : children) {
            if (child != null) {
                child.awaitExitOrKill(Duration.ofSeconds(2));
            }
        }
    }
}
