package io.graypipe.worker;

import io.graypipe.protocol.LinkTls;
import io.graypipe.worker.image.Encoders;

import java.time.Duration;

/**
 * Everything the scale-worker is told at start, built once by {@link WorkerMain} from its flags.
 *
 * @param secrets           the shared secrets a front may prove it holds in the handshake: the current one, and
 *                          during a rotation the previous one
 * @param tls               mutual TLS for fronts' connections, or null for plain TCP
 * @param sharedMemory      the regions this worker reads, offered in its HELLO; null when it offers none
 * @param encoders          the codec libraries (libturbojpeg, libwebp, libavif) loaded here and, by name, in the
 *                          children; null: none
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
                           WorkerSecrets secrets,
                           LinkTls tls,
                           SharedRegionReader sharedMemory,
                           Encoders encoders) {
    public WorkerConfig {
        if (encoders == null) {
            encoders = Encoders.NONE;
        }
    }

    /**
     * Where requests run that do not name a mode: in forked child JVMs (the default), or on the thread pool inside
     * this JVM. Both pools are always started; a request's own mode picks either.
     */
    public enum PoolMode {
        PROCESSES, THREADS;

        /** As written on the command line and in logs. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Where a request that leaves the choice to the worker (mode DEFAULT) runs. */
        public io.graypipe.protocol.ExecutionMode executionMode() {
            return this == PROCESSES ? io.graypipe.protocol.ExecutionMode.PROCESSES
                    : io.graypipe.protocol.ExecutionMode.THREADS;
        }
    }
}
