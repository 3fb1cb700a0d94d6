package io.graypipe.front.observe;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Events per second over the last minute: one counter per second in a ring, each reset when its second comes
 * round again. Lock-free; a count racing with a reset may be lost, which a rate for people can afford.
 */
final class RateWindow {
    static final int SECONDS = 60;

    private final AtomicLongArray counts = new AtomicLongArray(SECONDS);
    private final AtomicLongArray secondOfSlot = new AtomicLongArray(SECONDS);
    private final LongSupplier nowSeconds;

    RateWindow(LongSupplier nowSeconds) {
        this.nowSeconds = nowSeconds;
    }

    void record() {
        long second = nowSeconds.getAsLong();
        int slot = (int) Math.floorMod(second, (long) SECONDS);
        long held = secondOfSlot.get(slot);
        if (held != second && secondOfSlot.compareAndSet(slot, held, second)) {
            counts.set(slot, 0);
        }
        counts.incrementAndGet(slot);
    }

    /** Events per second over the last {@link #SECONDS} whole seconds, or fewer if the window started later. */
    double perSecond(long windowStartSecond) {
        long now = nowSeconds.getAsLong();
        long from = Math.max(now - SECONDS + 1, windowStartSecond);
        long total = 0;
        for (int slot = 0; slot < SECONDS; slot++) {
            long second = secondOfSlot.get(slot);
            if (second >= from && second <= now) {
                total += counts.get(slot);
            }
        }
        return (double) total / Math.max(1, now - from + 1);
    }
}
