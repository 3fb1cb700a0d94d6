package io.graypipe.front.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open client connection, and which of them hold a request not yet answered, so that shutdown answers each
 * request instead of cutting it off. {@link #drain} tells every connection the front is stopping: a request being
 * received or processed goes on and is answered with {@code Connection: close}, and so is one that arrives during
 * the grace period (its client sent it before it could know); event streams end (clients resume elsewhere with
 * {@code Last-Event-ID}). Once every request is answered, or the grace period passes, {@link #refuseRest} answers
 * what is left, and any request that still arrives, with 503, and closes the idle connections.
 *
 * <p>Threads: connections register and report from their event loops; {@code drain} and {@code refuseRest} run
 * on the shutdown thread and wait on this object's monitor, which every change of {@link #busy} notifies.
 */
public final class OpenConnections {
    private static final Logger log = LoggerFactory.getLogger(OpenConnections.class);

    private final Set<HttpRequestHandler> open = ConcurrentHashMap.newKeySet();
    private final Set<HttpRequestHandler> busy = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile boolean refusing;

    /**
     * A new connection counts as busy until its first request is answered: a client connects to send one, and its
     * bytes may already wait in the socket when shutdown begins.
     */
    void opened(HttpRequestHandler connection) {
        open.add(connection);
        busy.add(connection);
        if (draining) {
            connection.drain();
        }
    }

    void closed(HttpRequestHandler connection) {
        open.remove(connection);
        idle(connection);
    }

    void busy(HttpRequestHandler connection) {
        busy.add(connection);
    }

    synchronized void idle(HttpRequestHandler connection) {
        if (busy.remove(connection)) {
            notifyAll();
        }
    }

    /** Whether the front is stopping: a connection then ends after its current request. */
    boolean draining() {
        return draining;
    }

    /** Whether the grace period is over: a request that arrives now is answered 503 at once. */
    boolean refusing() {
        return refusing;
    }

    /**
     * Stops every connection from taking further requests and waits up to {@code grace} until every request under
     * way is answered. Returns whether they all were.
     */
    public boolean drain(Duration grace) {
        draining = true;
        open.forEach(HttpRequestHandler::drain);
        return awaitIdle(grace);
    }

    /**
     * Answers every request still under way with 503 (a body still arriving is not waited for), waits up to
     * {@code flush} for those answers to be written, and closes every connection.
     */
    public void refuseRest(Duration flush) {
        refusing = true;
        if (!busy.isEmpty()) {
            log.warn("{} requests still under way after the grace period; answering them with 503", busy.size());
            busy.forEach(HttpRequestHandler::refuse);
            awaitIdle(flush);
        }
        open.forEach(HttpRequestHandler::closeIfIdle);
    }

    private synchronized boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (long left = timeout.toMillis(); !busy.isEmpty() && left > 0;
                 left = (deadline - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return busy.isEmpty();
    }
}
