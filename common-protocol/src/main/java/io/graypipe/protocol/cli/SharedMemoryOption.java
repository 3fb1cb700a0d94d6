package io.graypipe.protocol.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The shared-memory directory flag, one definition for both tiers (a picocli mixin of {@code FrontMain} and
 * {@code WorkerMain}): where a front leaves rasters for a worker on the same host to read (PROTOCOL.md, HELLO's
 * host id). Both sides must name the same directory for it to be used.
 */
public final class SharedMemoryOption {
    @Option(names = "--shared-memory", defaultValue = "/dev/shm", paramLabel = "DIR|off",
            description = "Directory (tmpfs) where a front leaves rasters for a scale-worker on the same host, which reads them there instead of receiving them over the socket; used when the front and the worker name the same one (a front's own worker always does). off sends every raster inline. Default: ${DEFAULT-VALUE}.")
    String value;

    /** The directory, or null for {@code off}. */
    public Path directory() {
        return value.equalsIgnoreCase("off") ? null : Path.of(value);
    }
}
