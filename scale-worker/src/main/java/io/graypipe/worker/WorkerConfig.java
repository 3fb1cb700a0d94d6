package io.graypipe.worker;

import java.time.Duration;

/**
 * Everything the scale-worker is told at start, built once by {@link WorkerMain} from its flags.
 *
 * @param token             shared secret every front must present in its HELLO; empty means the worker was
 *                          started without one, which only {@link WorkerMain} can allow explicitly
 * @param exitOnStdinEof    the worker was started by a front that keeps our stdin open as a lifeline
 */
public record WorkerConfig(String host,
                           int port,
                           int processes,
                           PoolMode mode,
                           int queueSize,
                           int maxConnections,
                           int maxFrameBytes,
                           Duration handshakeTimeout,
                           Duration drainTimeout,
                           String childJvmOptions,
                           byte[] token,
                           boolean exitOnStdinEof) {

    /** How scaling runs: in forked child JVMs (the default), or on a thread pool inside this JVM. */
    public enum PoolMode { PROCESSES, THREADS }
}
