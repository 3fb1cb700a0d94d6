package io.graypipe.front.fair;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one fairness policy of the front: deficit round robin between clients on each item's estimated cost. Each
 * client has its own first-in-first-out lane, so its own items keep their order. Every round a lane gets
 * {@code quantum} times its weight, and is served while its head costs no more than what it has; then the next
 * lane's turn comes. A client alone is the only lane and gets everything; two busy clients of equal weight get
 * about equal cost, whatever their numbers of items. The gray queue ({@code pipeline.FairQueue}) and dispatch to
 * the workers ({@code worker.FairDispatch}) both serve by it; the shared work queue in Redis runs the same rounds
 * with every task costing one ({@code store.redis.RedisScripts.TAKE}).
 *
 * <p>Not thread-safe: its owner guards it.
 */
public final class DeficitRoundRobin<T> {
    /** Cost (bytes) a lane of weight 1 may spend per round; about one large upload. */
    public static final long QUANTUM = 1 << 20;

    private static final class Lane<T> {
        final Share share;
        final ArrayDeque<Item<T>> queued = new ArrayDeque<>();
        long deficit;
        boolean inTurn;

        Lane(Share share) {
            this.share = share;
        }
    }

    private record Item<T>(T value, long cost) {
    }

    private final long quantum;
    /** Lanes with queued items, by key. */
    private final Map<String, Lane<T>> lanes = new HashMap<>();
    /** The same lanes in round-robin order; the first is the one being served. */
    private final ArrayDeque<Lane<T>> active = new ArrayDeque<>();
    private int size;

    public DeficitRoundRobin() {
        this(QUANTUM);
    }

    public DeficitRoundRobin(long quantum) {
        this.quantum = quantum;
    }

    /** Queues {@code value} at the end of its client's lane; a cost below 1 counts as 1. */
    public void add(Share share, long cost, T value) {
        Lane<T> lane = lanes.computeIfAbsent(share.key(), key -> new Lane<>(share));
        if (lane.queued.isEmpty()) {
            active.addLast(lane);
        }
        lane.queued.addLast(new Item<>(value, Math.max(1, cost)));
        size++;
    }

    /** The next item by deficit round robin, removed; null when none is queued. */
    public T poll() {
        if (size == 0) {
            return null;
        }
        while (true) {
            Lane<T> lane = active.peekFirst();
            if (!lane.inTurn) {
                lane.deficit += quantum * lane.share.weight();
                lane.inTurn = true;
            }
            Item<T> head = lane.queued.peekFirst();
            if (lane.deficit >= head.cost()) {
                lane.queued.pollFirst();
                lane.deficit -= head.cost();
                if (lane.queued.isEmpty()) {
                    leave(lane);
                }
                size--;
                return head.value();
            }
            lane.inTurn = false;
            active.addLast(active.pollFirst());
        }
    }

    /** The item {@link #poll} would look at first (not necessarily the one it returns); null when empty. */
    public T peek() {
        Lane<T> lane = active.peekFirst();
        return lane == null ? null : lane.queued.peekFirst().value();
    }

    /** Removes {@code value} (by identity) wherever it waits; false when it is not queued. */
    public boolean remove(T value) {
        for (Lane<T> lane : active) {
            for (Iterator<Item<T>> it = lane.queued.iterator(); it.hasNext(); ) {
                if (it.next().value() == value) {
                    it.remove();
                    size--;
                    if (lane.queued.isEmpty()) {
                        active.remove(lane);
                        leave(lane);
                    }
                    return true;
                }
            }
        }
        return false;
    }

    /** Every queued item, lane after lane. */
    public void forEach(Consumer<? super T> action) {
        active.forEach(lane -> lane.queued.forEach(item -> action.accept(item.value())));
    }

    public int size() {
        return size;
    }

    /** An emptied lane leaves the round and forgets its deficit, so an idle client saves up nothing. */
    private void leave(Lane<T> lane) {
        if (active.peekFirst() == lane) {
            active.pollFirst();
        }
        lanes.remove(lane.share.key());
        lane.deficit = 0;
        lane.inTurn = false;
    }
}
