package io.graypipe.front.http;

import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --max-connections}: admits a new client connection only while fewer than the cap are open. One instance
 * is shared by every connection; the count is atomic because connections open and close on different event loops.
 */
final class ConnectionCap {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionCap(int max) {
        this.max = max;
    }

    /**
     * Counts {@code channel} as open until it closes and returns true, or returns false, counting nothing, when
     * the cap is reached; the caller then closes it at once.
     */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return false;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }
}
