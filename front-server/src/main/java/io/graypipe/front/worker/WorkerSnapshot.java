package io.graypipe.front.worker;

import io.graypipe.protocol.WorkerStatus;

/**
 * One worker as the front sees it now, for /metrics and /stats.
 *
 * @param address    as configured ({@code --worker HOST:PORT}, or {@code local} for a worker this front started)
 * @param connected  whether the connection is up and past its handshake
 * @param status     the worker's latest STATUS (at most a second old), or null while it is not connected
 * @param inFlight   requests sent to it and not answered yet
 * @param dispatched requests given to it since the front started, retries included
 * @param failures   times it was taken out of rotation (connection lost or heartbeats unanswered)
 */
public record WorkerSnapshot(String address, boolean connected, WorkerStatus status, int inFlight, long dispatched,
                             long failures) {

    /** Children (threads, for a threads-mode worker) up and ready; 0 while not connected. */
    public int liveChildren() {
        return status == null ? 0 : status.alive();
    }
}
