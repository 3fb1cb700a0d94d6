package io.graypipe.front.worker;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A worker's HOST:PORT, resolved off the event loop. {@link WorkerClient} asks for the address on its event loop
 * each time it connects; a DNS lookup there would stall every connection on that loop, so lookups run on
 * {@code resolver} instead, one at a time, and {@link #get()} only reads the latest answer. Each connect attempt
 * also starts a fresh lookup, so a worker that moves to a new address is found on the next reconnect.
 */
public final class ResolvedAddress implements Supplier<InetSocketAddress> {
    private final String host;
    private final int port;
    private final Executor resolver;
    private final AtomicBoolean resolving = new AtomicBoolean();
    /** Written by the resolver thread, read by the event loop: volatile is the happens-before edge. */
    private volatile InetSocketAddress latest;
    private volatile String failure;

    public ResolvedAddress(InetSocketAddress unresolved, Executor resolver) {
        this.host = unresolved.getHostString();
        this.port = unresolved.getPort();
        this.resolver = resolver;
        resolveInBackground();
    }

    /**
     * The latest resolved address, starting a new lookup in the background. Throws, with what went wrong, while
     * no lookup has succeeded yet; the caller retries after its backoff.
     */
    @Override
    public InetSocketAddress get() {
        resolveInBackground();
        InetSocketAddress resolved = latest;
        if (resolved == null) {
            String why = failure;
            throw new IllegalStateException(why != null ? why : "resolving " + host + " (worker address)");
        }
        return resolved;
    }

    private void resolveInBackground() {
        if (!resolving.compareAndSet(false, true)) {
            return;
        }
        try {
            resolver.execute(() -> {
                try {
                    InetSocketAddress resolved = new InetSocketAddress(host, port);
                    if (resolved.isUnresolved()) {
                        failure = "cannot resolve worker host " + host;
                    } else {
                        latest = resolved;
                    }
                } finally {
                    resolving.set(false);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            resolving.set(false);
        }
    }
}
