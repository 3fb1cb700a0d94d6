package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.StatusRequest;
import io.graypipe.protocol.WorkerStatus;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One worker's pool status: asked for every second while the connection is up, kept as {@link #latest} (what
 * readiness and the pool's dispatch read), and fetched on demand for /metrics and /stats, matched by nonce. Nonce 0
 * is the periodic request's (PROTOCOL.md, STATUS_REQUEST): its answer only refreshes {@link #latest}.
 */
final class StatusPolling {
    private static final long INTERVAL_MILLIS = 1_000;

    private final EventLoop loop;
    private final Map<Long, CompletableFuture<WorkerStatus>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong nextNonce = new AtomicLong(1);
    /** The worker's latest STATUS on the current connection; null until the first one arrives. */
    private volatile WorkerStatus latest;

    StatusPolling(EventLoop loop) {
        this.loop = loop;
    }

    WorkerStatus latest() {
        return latest;
    }

    /** Asks the worker on {@code link}'s connection now; fails if no answer comes within {@code timeout}. */
    CompletableFuture<WorkerStatus> fetch(Duration timeout, Supplier<WorkerLink> link) {
        CompletableFuture<WorkerStatus> answer = new CompletableFuture<>();
        long nonce = nextNonce.getAndIncrement();
        waiting.put(nonce, answer);
        loop.schedule(() -> {
            if (waiting.remove(nonce) != null) {
                answer.completeExceptionally(new FrontException(ErrorCode.WORKER_UNAVAILABLE,
                        "the scale-worker did not report its status within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        loop.execute(() -> {
            WorkerLink now = link.get();
            if (now != null) {
                now.channel().writeAndFlush(new StatusRequest(nonce), now.channel().voidPromise());
            }
        });
        return answer;
    }

    /** Asks now and every second after, for as long as {@code connection} is {@code link}'s and open. */
    void poll(Channel connection, Supplier<WorkerLink> link) {
        WorkerLink now = link.get();
        if (now == null || now.channel() != connection || !connection.isActive()) {
            return;
        }
        connection.writeAndFlush(new StatusRequest(0), connection.voidPromise());
        loop.schedule(() -> poll(connection, link), INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    void onStatus(WorkerStatus status) {
        latest = status;
        CompletableFuture<WorkerStatus> call = waiting.remove(status.nonce());
        if (call != null) {
            call.complete(status);
        }
    }

    /** The connection is gone: its figures are no longer the worker's. */
    void forget() {
        latest = null;
    }
}
