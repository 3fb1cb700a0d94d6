package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.fair.DeficitRoundRobin;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Dispatch to the workers, fair between clients. A raster goes to a worker only while the workers in rotation have
 * a child free for it (this front's requests outstanding below their live children, from their STATUS reports);
 * the others wait here, in the front's one fairness policy, {@link DeficitRoundRobin}, by the order's client and
 * the raster's size. Without it every raster went at once and waited in the worker's own queue, first come first
 * served, so a light client's image waited behind every image of a heavy one that the worker held
 * (docs/many-users.md). A client's own images keep their order; a client alone gets every child.
 *
 * <p>While no worker is in rotation there is no child to count: orders pass straight on, and wait in the
 * connections for a worker to come back, as before. An order that waits here past its deadline fails with
 * {@link ErrorCode#DEADLINE_EXCEEDED}.
 *
 * <p>Waiting orders are sent from one {@code graypipe-dispatch} thread, never from the event loop that completed
 * the answer making room: sending may first copy the raster into shared memory. The queue and the count are
 * guarded by this object's lock.
 */
public final class FairDispatch implements Workers {
    private final Workers workers;
    private final DeficitRoundRobin<Waiting> waiting = new DeficitRoundRobin<>();
    /** Sends waiting orders and fails those past their deadline. */
    private final ScheduledThreadPoolExecutor dispatcher;
    /** Orders sent through here and not answered yet. */
    private int outstanding;
    private boolean closed;

    /** An order waiting for a free child; its raster is let go once it leaves the queue. */
    private static final class Waiting {
        ScaleOrder order;
        final long deadlineNanos;
        final int timeoutMillis;
        final CompletableFuture<ScaleResult> answer = new CompletableFuture<>();
        /** Set just after it is queued: it may already be on its way by then (then its expiry finds nothing). */
        volatile Future<?> expiry;

        Waiting(ScaleOrder order, int timeoutMillis) {
            this.order = order;
            this.timeoutMillis = timeoutMillis;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }
    }

    public FairDispatch(Workers workers) {
        this.workers = workers;
        this.dispatcher = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("graypipe-dispatch", true));
        // A cancelled expiry leaves the timer queue at once, and the order it names with it.
        dispatcher.setRemoveOnCancelPolicy(true);
    }

    @Override
    public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
        Waiting queued;
        synchronized (this) {
            if (closed || hasRoom()) {
                outstanding++;
                queued = null;
            } else {
                queued = new Waiting(order, timeoutMillis);
                waiting.add(order.client(), order.image().byteCount(), queued);
            }
        }
        if (queued == null) {
            return send(order, timeoutMillis);
        }
        try {
            queued.expiry = dispatcher.schedule(() -> expire(queued), timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            expire(queued); // closed meanwhile
        }
        return queued.answer;
    }

    /** Whether another order may go to the workers now; the lock is held. */
    private boolean hasRoom() {
        int children = liveChildren();
        return children == 0 || outstanding < children;
    }

    /** Children of the workers in rotation, as their latest STATUS reports say. */
    private int liveChildren() {
        int children = 0;
        for (WorkerSnapshot worker : workers.snapshots()) {
            if (worker.connected()) {
                children += worker.liveChildren();
            }
        }
        return children;
    }

    private CompletableFuture<ScaleResult> send(ScaleOrder order, int timeoutMillis) {
        order.leaving().run();
        return workers.scale(order, timeoutMillis).whenComplete((result, error) -> answered());
    }

    /** An answer made room: the next waiting orders go, by the fair order, from the dispatch thread. */
    private void answered() {
        List<Waiting> next = new ArrayList<>();
        synchronized (this) {
            outstanding--;
            Waiting head;
            while (hasRoom() && (head = waiting.poll()) != null) {
                outstanding++;
                next.add(head);
            }
        }
        for (Waiting going : next) {
            try {
                dispatcher.execute(() -> dispatch(going));
            } catch (RejectedExecutionException e) {
                going.answer.completeExceptionally(shuttingDown());
            }
        }
    }

    private void dispatch(Waiting going) {
        Future<?> expiry = going.expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        ScaleOrder order = going.order;
        going.order = null;
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(going.deadlineNanos - System.nanoTime());
        if (leftMillis < 1) {
            going.answer.completeExceptionally(deadline(going.timeoutMillis));
            answered();
            return;
        }
        send(order, (int) leftMillis).whenComplete((result, error) -> {
            if (error == null) {
                going.answer.complete(result);
            } else {
                going.answer.completeExceptionally(error);
            }
        });
    }

    private void expire(Waiting late) {
        boolean removed;
        synchronized (this) {
            removed = waiting.remove(late);
        }
        if (removed) {
            late.order = null;
            late.answer.completeExceptionally(closed ? shuttingDown() : deadline(late.timeoutMillis));
        }
    }

    private static FrontException deadline(int timeoutMillis) {
        return new FrontException(ErrorCode.DEADLINE_EXCEEDED, "the image waited " + timeoutMillis
                + " ms for a free scale-worker and was not scaled; try again, or when the server is less busy");
    }

    private static FrontException shuttingDown() {
        return new FrontException(ErrorCode.WORKER_UNAVAILABLE, "the server is shutting down; try again shortly");
    }

    @Override
    public void start() {
        workers.start();
    }

    @Override
    public boolean isReady() {
        return workers.isReady();
    }

    @Override
    public String unavailableReason() {
        return workers.unavailableReason();
    }

    @Override
    public Set<OutputFormat> encodable() {
        return workers.encodable();
    }

    @Override
    public int inFlight() {
        return workers.inFlight();
    }

    @Override
    public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
        return workers.fetchStatus(timeout);
    }

    @Override
    public List<WorkerSnapshot> snapshots() {
        return workers.snapshots();
    }

    /** Fails every waiting order, then closes the connections, which fail the ones sent. */
    @Override
    public void close() {
        List<Waiting> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            Waiting head;
            while ((head = waiting.poll()) != null) {
                left.add(head);
            }
        }
        dispatcher.shutdownNow();
        left.forEach(order -> order.answer.completeExceptionally(shuttingDown()));
        workers.close();
    }
}
