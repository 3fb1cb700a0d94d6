package io.graypipe.worker;

import io.graypipe.protocol.LinkTls;

import java.time.Duration;

/**
 * Everything the scale-worker is told at start, built once by {@link WorkerMain} from its flags.
 *
 * @param token             shared secret every front must present in its HELLO; empty means the worker was
 *                          started without one, which only {@link WorkerMain} can allow explicitly
 * @param tls               mutual TLS for fronts' connections, or null for plain TCP
 * @param sharedMemory      the regions this worker reads, offered in its HELLO; null when it offers none
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
                           LinkTls tls,
                           SharedRegionReader sharedMemory) {

    /** How scaling runs: in forked child JVMs (the default), or on a thread pool inside this JVM. */
    public enum PoolMode {
        PROCESSES, THREADS;

        /** As written on the command line and in logs. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
