package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Several workers behind one {@link Workers}. Each request goes to the worker with the least outstanding work per
 * live child, among those that can scale now (connected, handshaken, at least one live child): outstanding is
 * what this front has sent it and not had answered, live children are the {@code alive} figure of its latest
 * STATUS (a threads-mode worker reports its threads there), refreshed every second. Ties go to the worker given
 * fewer requests so far, so an idle cluster still takes turns.
 *
 * <p>A worker that stops answering (connection lost, heartbeats unanswered) is out of rotation until its
 * connection is back and handshaken. Its unanswered requests are sent once more, to the best other worker, within
 * what is left of their deadline; a request that loses its second worker too fails with {@code worker_unavailable}.
 * With one worker nothing moves: its requests wait for it to come back, as {@link WorkerClient} does alone.
 *
 * <p>Holds no state of its own beyond the fixed list, so it needs no synchronisation.
 */
public final class WorkerPool implements Workers {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final List<WorkerClient> connections;

    public WorkerPool(List<WorkerClient> connections) {
        if (connections.isEmpty()) {
            throw new IllegalArgumentException("a worker pool needs at least one worker");
        }
        this.connections = List.copyOf(connections);
        if (this.connections.size() > 1) {
            this.connections.forEach(WorkerClient::failOverOnLoss);
        }
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
    public Set<OutputFormat> encodable() {
        Set<OutputFormat> formats = EnumSet.noneOf(OutputFormat.class);
        connections.forEach(connection -> formats.addAll(connection.encodable()));
        return formats;
    }

    @Override
    public int inFlight() {
        return connections.stream().mapToInt(WorkerClient::inFlight).sum();
    }

    @Override
    public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        WorkerClient first = choose(null, order.format());
        return first.scale(order, timeoutMillis)
                .exceptionallyCompose(error -> retryElsewhere(order, deadline, first, error));
    }

    /** The one retry of a request whose worker was lost; any other failure is the caller's. */
    private CompletableFuture<ScaleResult> retryElsewhere(ScaleOrder order, long deadline, WorkerClient lost,
                                                          Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof WorkerLostException)) {
            return CompletableFuture.failedFuture(cause);
        }
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMillis < 1) {
            return CompletableFuture.failedFuture(new FrontException(ErrorCode.DEADLINE_EXCEEDED,
                    cause.getMessage() + ", and no time was left to try another worker"));
        }
        WorkerClient other = choose(lost, order.format());
        log.debug("retrying a request of {} on {}", lost.label(), other.label());
        return other.scale(order, (int) Math.min(Integer.MAX_VALUE, leftMillis));
    }

    /** Every connected worker's figures added up; fails only when none answers. */
    @Override
    public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
        if (connections.size() == 1) {
            return connections.get(0).fetchStatus(timeout);
        }
        List<CompletableFuture<Optional<WorkerStatus>>> answers = connections.stream()
                .map(connection -> connection.fetchStatus(timeout)
                        .handle((status, error) -> Optional.ofNullable(error == null ? status : null)))
                .toList();
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(all -> {
            List<WorkerStatus> statuses = answers.stream().map(CompletableFuture::join).flatMap(Optional::stream)
                    .toList();
            if (statuses.isEmpty()) {
                throw new FrontException(ErrorCode.WORKER_UNAVAILABLE, "no scale-worker answered: "
                        + unavailableReason());
            }
            return sum(statuses);
        });
    }

    private static WorkerStatus sum(List<WorkerStatus> statuses) {
        int configured = 0, alive = 0, busy = 0, queued = 0, threads = 0, threadsBusy = 0;
        long restarts = 0;
        List<WorkerStatus.Child> children = new ArrayList<>();
        for (WorkerStatus status : statuses) {
            configured += status.configured();
            alive += status.alive();
            busy += status.busy();
            queued += status.queued();
            restarts += status.restarts();
            threads += status.threads();
            threadsBusy += status.threadsBusy();
            children.addAll(status.children());
        }
        return new WorkerStatus(0, configured, alive, busy, queued, restarts, threads, threadsBusy, children);
    }

    @Override
    public List<WorkerSnapshot> snapshots() {
        return connections.stream().flatMap(connection -> connection.snapshots().stream()).toList();
    }

    @Override
    public void close() {
        connections.forEach(WorkerClient::close);
    }

    /**
     * The worker that can scale now and encode {@code format} with the least outstanding work per live child,
     * other than {@code excluding}; when none can, the first other one, whose request then waits for its reconnect
     * until the deadline (or is refused as UNSUPPORTED_FORMAT).
     */
    private WorkerClient choose(WorkerClient excluding, OutputFormat format) {
        if (connections.size() == 1) {
            return connections.get(0);
        }
        WorkerClient best = null;
        long bestOutstanding = 0;
        long bestLive = 1;
        for (WorkerClient connection : connections) {
            WorkerStatus status = connection.latestStatus();
            if (connection == excluding || status == null || connection.unavailableReason() != null
                    || !connection.encodable().contains(format)) {
                continue;
            }
            long outstanding = connection.inFlight();
            long live = Math.max(1, status.alive());
            // outstanding / live < bestOutstanding / bestLive, without division.
            long order = best == null ? -1 : Long.compare(outstanding * bestLive, bestOutstanding * live);
            if (order < 0 || order == 0 && connection.dispatched() < best.dispatched()) {
                best = connection;
                bestOutstanding = outstanding;
                bestLive = live;
            }
        }
        if (best != null) {
            return best;
        }
        return connections.stream().filter(connection -> connection != excluding).findFirst()
                .orElse(connections.get(0));
    }
}
