package io.graypipe.front.pipeline;

import io.graypipe.front.fair.DeficitRoundRobin;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gray executor's queue, shared fairly between clients by the front's one policy, {@link DeficitRoundRobin}, on
 * each item's cost ({@link ClientWork}), weighted by the client's weight. Each client has its own first-in-first-out
 * lane, so its own requests keep their order; a client alone gets every thread. The queue is bounded as a whole, and each client
 * may hold at most {@code perClient} items, waiting or running: past it only that client is refused, with the
 * same 503 as a full queue. With {@code fifo} it is one first-come-first-served line, as before fair queuing (for
 * comparison: {@code --fifo-queue}).
 *
 * <p>With {@code slots} (fair mode), a thread takes a worker slot before it takes an item, so items wait here, in
 * the fair order, rather than in threads parked on a slot with whatever item they took first: measured, that
 * parking was most of a light client's wait behind a heavy one (docs/many-users.md). The item then runs holding
 * the slot, and {@link ImagePipeline} releases it.
 *
 * <p>All state is guarded by one lock; a worker thread's take is the happens-before edge from the offering thread.
 */
public final class FairQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {
    /** Cost (bytes) a lane of weight 1 may spend per round; about one large upload. */
    static final long QUANTUM = DeficitRoundRobin.QUANTUM;

    /** Told how long each item waited, when a thread takes it. */
    @FunctionalInterface
    public interface WaitObserver {
        void waited(ClientId client, long nanos);
    }

    private record Entry(Runnable work, ClientId client, long enqueuedNanos) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final int capacity;
    private final int perClient;
    private final boolean fifo;
    private final WaitObserver observer;
    /** Taken before each item in fair mode; null in FIFO mode. */
    private final Semaphore slots;
    /** Fair mode: the items, by client. */
    private final DeficitRoundRobin<Entry> lanes = new DeficitRoundRobin<>();
    /** FIFO mode only: every item in arrival order. */
    private final ArrayDeque<Entry> line = new ArrayDeque<>();
    /** Items of each client (by its share's key) queued or running; a client with none is not here. */
    private final Map<String, Integer> held = new HashMap<>();

    /**
     * @param slots the worker slots a thread takes before each item (its executor must prestart its threads, so no
     *              item bypasses the queue); null to take none
     */
    public FairQueue(int capacity, int perClient, boolean fifo, WaitObserver observer, Semaphore slots) {
        this.capacity = capacity;
        this.perClient = perClient;
        this.fifo = fifo;
        this.observer = observer;
        this.slots = slots;
    }

    @Override
    public boolean offer(Runnable work) {
        ClientId client = work instanceof ClientWork costed ? costed.client() : ClientId.UNKNOWN;
        long cost = work instanceof ClientWork costed ? costed.cost() : 1;
        lock.lock();
        try {
            if (size() >= capacity) {
                return false;
            }
            String key = client.share().key();
            if (!fifo && held.getOrDefault(key, 0) >= perClient) {
                return false;
            }
            Entry entry = new Entry(work, client, System.nanoTime());
            if (fifo) {
                line.addLast(entry);
            } else {
                lanes.add(client.share(), cost, entry);
            }
            held.merge(key, 1, Integer::sum);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable poll() {
        if (slots != null && !slots.tryAcquire()) {
            return null;
        }
        lock.lock();
        try {
            if (size() == 0) {
                releaseSlot();
                return null;
            }
            return next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable take() throws InterruptedException {
        return poll(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2);
        if (slots != null && !slots.tryAcquire(unit.toNanos(timeout), TimeUnit.NANOSECONDS)) {
            return null;
        }
        boolean handedOut = false;
        try {
            lock.lockInterruptibly();
            try {
                while (size() == 0) {
                    long nanos = deadline - System.nanoTime();
                    if (nanos <= 0) {
                        return null;
                    }
                    notEmpty.awaitNanos(nanos);
                }
                handedOut = true;
                return next();
            } finally {
                lock.unlock();
            }
        } finally {
            if (!handedOut) {
                releaseSlot();
            }
        }
    }

    private void releaseSlot() {
        if (slots != null) {
            slots.release();
        }
    }

    /** The next item by deficit round robin (or arrival, in FIFO mode); the lock is held and the queue not empty. */
    private Runnable next() {
        Entry entry = fifo ? line.pollFirst() : lanes.poll();
        observer.waited(entry.client(), System.nanoTime() - entry.enqueuedNanos());
        Runnable work = entry.work();
        return () -> {
            try {
                work.run();
            } finally {
                finished(entry.client());
            }
        };
    }

    private void finished(ClientId client) {
        lock.lock();
        try {
            held.computeIfPresent(client.share().key(), (key, count) -> count > 1 ? count - 1 : null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object work) {
        lock.lock();
        try {
            Entry found = null;
            for (Entry entry : queued()) {
                if (entry.work() == work) {
                    found = entry;
                    break;
                }
            }
            if (found == null || !(fifo ? line.remove(found) : lanes.remove(found))) {
                return false;
            }
            finished(found.client());
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable peek() {
        lock.lock();
        try {
            Entry head = fifo ? line.peekFirst() : lanes.peek();
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
            return queued().stream().map(Entry::work).toList().iterator();
        } finally {
            lock.unlock();
        }
    }

    /** The queued entries in serving order (fair mode: lane after lane); the lock is held. */
    private List<Entry> queued() {
        if (fifo) {
            return List.copyOf(line);
        }
        List<Entry> entries = new ArrayList<>(lanes.size());
        lanes.forEach(entries::add);
        return entries;
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return fifo ? line.size() : lanes.size();
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
            return capacity - size();
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
