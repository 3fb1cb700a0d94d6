package io.graypipe.front.worker;

import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Several workers behind one {@link Workers}: each request goes to the available connection with the fewest
 * requests in flight. With one connection (all a front uses today) it behaves exactly as that connection.
 * Holds no state of its own beyond the fixed list, so it needs no synchronisation.
 */
public final class WorkerPool implements Workers {
    private final List<WorkerClient> connections;

    public WorkerPool(List<WorkerClient> connections) {
        if (connections.isEmpty()) {
            throw new IllegalArgumentException("a worker pool needs at least one worker");
        }
        this.connections = List.copyOf(connections);
    }

    @Override
    public void start() {
        connections.forEach(WorkerClient::start);
    }

    @Override
    public boolean isReady() {
        return connections.stream().anyMatch(WorkerClient::isReady);
    }

    /** Null as soon as one worker can scale; otherwise the reasons of all, so /readyz names each. */
    @Override
    public String unavailableReason() {
        List<String> reasons = connections.stream().map(WorkerClient::unavailableReason).toList();
        if (reasons.contains(null)) {
            return null;
        }
        return String.join("; ", reasons);
    }

    @Override
    public int inFlight() {
        return connections.stream().mapToInt(WorkerClient::inFlight).sum();
    }

    @Override
    public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
        return choose().scale(order, timeoutMillis);
    }

    /** The status of the worker {@link #scale} would use now. */
    @Override
    public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
        return choose().fetchStatus(timeout);
    }

    @Override
    public void close() {
        connections.forEach(WorkerClient::close);
    }

    /**
     * The available connection with the fewest requests in flight; when none is available, the first one, whose
     * request then waits for a reconnect until its deadline, as with a single worker.
     */
    private WorkerClient choose() {
        if (connections.size() == 1) {
            return connections.get(0);
        }
        return connections.stream().filter(connection -> Objects.isNull(connection.unavailableReason()))
                .min(Comparator.comparingInt(WorkerClient::inFlight)).orElse(connections.get(0));
    }
}
