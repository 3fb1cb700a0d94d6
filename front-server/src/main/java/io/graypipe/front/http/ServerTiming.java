package io.graypipe.front.http;

import io.graypipe.front.task.StageClock;
import io.graypipe.front.task.StageClock.Point;
import io.graypipe.front.task.TaskCache;
import io.netty.util.AsciiString;

/**
 * The W3C {@code Server-Timing} header of a sync image answer: where the request's time went in this front, one
 * metric per stage it went through, each from one point of its {@link StageClock} to the next, so the stages
 * follow each other without gap or overlap and add up to at most the time the client waited. Browsers show them in
 * the developer tools' timing tab; {@code scripts/bench} averages them (docs/observability.md).
 *
 * <pre>
 * upload    request head read → body received whole, and the client's images counted against its limit
 * queue     → a gray thread took it from the fair gray queue (with its worker slot, unless --fifo-queue)
 * cache     → the upload hashed and the result cache asked; desc=hit or miss (a hit ends here)
 * slot      → a worker slot, taken by the gray thread itself (only with --fifo-queue)
 * gray      → decoded to a gray raster
 * dispatch  → the raster left worker.FairDispatch for a worker with a free child (not with --fifo-queue)
 * scale     → the worker answered: the hop, its own queue, the child's scale, ops and encode, and back
 * </pre>
 *
 * <p>Built on the hot path of every sync answer: one {@link StringBuilder}, durations written as whole microseconds
 * with a decimal point put in, no {@code String.format}.
 */
final class ServerTiming {
    static final AsciiString NAME = AsciiString.cached("Server-Timing");

    private ServerTiming() {
    }

    /**
     * The header's value for a task run by this front.
     *
     * @param requestNanos when the request's head was read ({@link System#nanoTime()})
     * @param cache        what the result cache did, or null
     */
    static String of(long requestNanos, StageClock stages, TaskCache cache) {
        StringBuilder header = new StringBuilder(160);
        long created = stages.createdNanos();
        metric(header, "upload", null, created - requestNanos);
        long taken = stages.passedNanos(Point.TAKEN);
        if (taken == StageClock.NOT_PASSED) {
            return header.toString();
        }
        metric(header, "queue", null, taken - created);
        long lookedUp = stages.passedNanos(Point.LOOKED_UP);
        if (lookedUp == StageClock.NOT_PASSED) {
            return header.toString();
        }
        metric(header, "cache", cache == null ? null : cache.result(), lookedUp - taken);
        long decodeFrom = lookedUp;
        long slotTaken = stages.passedNanos(Point.SLOT_TAKEN);
        if (slotTaken != StageClock.NOT_PASSED) {
            metric(header, "slot", null, slotTaken - lookedUp);
            decodeFrom = slotTaken;
        }
        long decoded = stages.passedNanos(Point.DECODED);
        if (decoded == StageClock.NOT_PASSED) {
            return header.toString();
        }
        metric(header, "gray", null, decoded - decodeFrom);
        long scaleFrom = decoded;
        long sent = stages.passedNanos(Point.SENT);
        if (sent != StageClock.NOT_PASSED) {
            metric(header, "dispatch", null, sent - decoded);
            scaleFrom = sent;
        }
        long answered = stages.passedNanos(Point.ANSWERED);
        if (answered != StageClock.NOT_PASSED) {
            metric(header, "scale", null, answered - scaleFrom);
        }
        return header.toString();
    }

    /** Appends {@code name;desc=…;dur=…} in milliseconds with three decimals (microseconds). */
    private static void metric(StringBuilder header, String name, String description, long nanos) {
        if (!header.isEmpty()) {
            header.append(", ");
        }
        header.append(name);
        if (description != null) {
            header.append(";desc=").append(description);
        }
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        header.append(";dur=").append(micros / 1_000).append('.');
        if (fraction < 100) {
            header.append(fraction < 10 ? "00" : "0");
        }
        header.append(fraction);
    }
}
