package io.graypipe.front.task;

import java.util.Arrays;

/**
 * When a task passed each point of the pipeline, in {@link System#nanoTime()}: finer than its {@link Timeline}
 * (which is wall-clock instants of its states, kept in its status), and never stored. A sync answer's
 * {@code Server-Timing} header is made from it (docs/observability.md).
 *
 * <p><b>Threads.</b> Each point is written once, by the thread that passes it (the upload thread that creates the
 * task, its gray thread, the dispatch thread, the worker connection's event loop), each after the one before it,
 * and read once the task is done. Every write happens before the next thread's work is handed over (an executor's
 * queue, a future's completion), and the last before {@link Task#finished()} completes: those hand-overs are the
 * happens-before edges, so plain fields suffice.
 */
public final class StageClock {
    /** The points, in the order a task passes them; a task may stop before any of them (a hit, a failure). */
    public enum Point {
        /** A gray thread took the task from the gray queue. */
        TAKEN,
        /** The result cache was asked (the upload hashed into its key), hit or miss. */
        LOOKED_UP,
        /** The gray thread got a worker slot itself; only with {@code --fifo-queue}, where the queue takes none. */
        SLOT_TAKEN,
        /** The raster is decoded and handed to the workers. */
        DECODED,
        /** The raster left {@code worker.FairDispatch} for a worker; never passed with {@code --fifo-queue}. */
        SENT,
        /** The worker's answer came back. */
        ANSWERED
    }

    /** The value of a point not passed. */
    public static final long NOT_PASSED = Long.MIN_VALUE;

    private final long createdNanos = System.nanoTime();
    private final long[] passed = new long[Point.values().length];

    StageClock() {
        Arrays.fill(passed, NOT_PASSED);
    }

    /** When the task was created: its upload had been received whole. */
    public long createdNanos() {
        return createdNanos;
    }

    /** Records that the task passes {@code point} now. */
    public void pass(Point point) {
        passed[point.ordinal()] = System.nanoTime();
    }

    /** When the task passed {@code point}, or {@link #NOT_PASSED}. */
    public long passedNanos(Point point) {
        return passed[point.ordinal()];
    }
}
