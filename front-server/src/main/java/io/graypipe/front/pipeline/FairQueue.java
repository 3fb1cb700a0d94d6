package io.graypipe.front.pipeline;

import io.graypipe.front.task.ClientId;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gray executor's queue, shared fairly between clients: deficit round robin on each item's cost
 * ({@link ClientWork}), weighted by the client's weight. Each client has its own first-in-first-out lane, so its
 * own requests keep their order; a client alone gets every thread. The queue is bounded as a whole, and each client
 * may hold at most {@code perClient} items, waiting or running: past it only that client is refused, with the
 * same 503 as a full queue. With {@code fifo} it is one first-come-first-served line, as before fair queuing (for
 * comparison: {@code --fifo-queue}).
 *
 * <p>All state is guarded by one lock; a worker thread's take is the happens-before edge from the offering thread.
 */
public final class FairQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {
    /** Cost (bytes) a lane of weight 1 may spend per round; about one large upload. */
    static final long QUANTUM = 1 << 20;

    /** Told how long each item waited, when a thread takes it. */
    @FunctionalInterface
    public interface WaitObserver {
        void waited(ClientId client, long nanos);
    }

    private static final class Lane {
        final String key;
        final ClientId client;
        final ArrayDeque<Entry> queued = new ArrayDeque<>();
        long deficit;
        boolean inTurn;
        /** Items of this client queued or running. */
        int held;

        Lane(String key, ClientId client) {
            this.key = key;
            this.client = client;
        }
    }

    private record Entry(Runnable work, Lane lane, long cost, long enqueuedNanos) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final int capacity;
    private final int perClient;
    private final boolean fifo;
    private final WaitObserver observer;
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Lanes with queued items, in round-robin order; the first is the one being served. */
    private final ArrayDeque<Lane> active = new ArrayDeque<>();
    /** FIFO mode only: every item in arrival order. */
    private final ArrayDeque<Entry> line = new ArrayDeque<>();
    private int size;

    public FairQueue(int capacity, int perClient, boolean fifo, WaitObserver observer) {
        this.capacity = capacity;
        this.perClient = perClient;
        this.fifo = fifo;
        this.observer = observer;
    }

    @Override
    public boolean offer(Runnable work) {
        ClientId client = work instanceof ClientWork costed ? costed.client() : ClientId.UNKNOWN;
        long cost = work instanceof ClientWork costed ? Math.max(1, costed.cost()) : 1;
        lock.lock();
        try {
            if (size >= capacity) {
                return false;
            }
            Lane lane = lanes.computeIfAbsent(client.limitKey(), key -> new Lane(key, client));
            if (!fifo && lane.held >= perClient) {
                return false;
            }
            Entry entry = new Entry(work, lane, cost, System.nanoTime());
            if (fifo) {
                line.addLast(entry);
            } else {
                if (lane.queued.isEmpty()) {
                    active.addLast(lane);
                }
                lane.queued.addLast(entry);
            }
            lane.held++;
            size++;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable poll() {
        lock.lock();
        try {
            return size == 0 ? null : next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                notEmpty.await();
            }
            return next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return next();
        } finally {
            lock.unlock();
        }
    }

    /** The next item by deficit round robin (or arrival, in FIFO mode); the lock is held and size > 0. */
    private Runnable next() {
        Entry entry;
        if (fifo) {
            entry = line.pollFirst();
        } else {
            while (true) {
                Lane lane = active.peekFirst();
                if (!lane.inTurn) {
                    lane.deficit += QUANTUM * lane.client.weight();
                    lane.inTurn = true;
                }
                Entry head = lane.queued.peekFirst();
                if (lane.deficit >= head.cost()) {
                    lane.queued.pollFirst();
                    lane.deficit -= head.cost();
                    if (lane.queued.isEmpty()) {
                        active.pollFirst();
                        lane.deficit = 0;
                        lane.inTurn = false;
                    }
                    entry = head;
                    break;
                }
                lane.inTurn = false;
                active.addLast(active.pollFirst());
            }
        }
        size--;
        observer.waited(entry.lane().client, System.nanoTime() - entry.enqueuedNanos());
        Lane lane = entry.lane();
        Runnable work = entry.work();
        return () -> {
            try {
                work.run();
            } finally {
                finished(lane);
            }
        };
    }

    private void finished(Lane lane) {
        lock.lock();
        try {
            lane.held--;
            if (lane.held == 0) {
                lanes.remove(lane.key);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object work) {
        lock.lock();
        try {
            for (Lane lane : fifo ? lanes.values() : active) {
                for (Iterator<Entry> it = (fifo ? line : lane.queued).iterator(); it.hasNext(); ) {
                    Entry entry = it.next();
                    if (entry.work() == work) {
                        it.remove();
                        size--;
                        if (!fifo && lane.queued.isEmpty()) {
                            active.remove(lane);
                            lane.deficit = 0;
                            lane.inTurn = false;
                        }
                        finished(entry.lane());
                        return true;
                    }
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable peek() {
        lock.lock();
        try {
            Entry head = fifo ? line.peekFirst() : active.isEmpty() ? null : active.peekFirst().queued.peekFirst();
            return head == null ? null : head.work();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the queued items, for the executor's bookkeeping; it does not remove. */
    @Override
    public Iterator<Runnable> iterator() {
        lock.lock();
        try {
            List<Runnable> items = new ArrayList<>();
            (fifo ? line.stream() : active.stream().flatMap(lane -> lane.queued.stream()))
                    .forEach(entry -> items.add(entry.work()));
            return List.copyOf(items).iterator();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(Runnable work) {
        if (!offer(work)) {
            throw new IllegalStateException("the queue is full");
        }
    }

    @Override
    public boolean offer(Runnable work, long timeout, TimeUnit unit) {
        return offer(work);
    }

    @Override
    public int remainingCapacity() {
        lock.lock();
        try {
            return capacity - size;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int drainTo(Collection<? super Runnable> sink) {
        return drainTo(sink, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Runnable> sink, int max) {
        int drained = 0;
        Runnable next;
        while (drained < max && (next = poll()) != null) {
            sink.add(next);
            drained++;
        }
        return drained;
    }
}
