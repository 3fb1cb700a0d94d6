package io.graypipe.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host id a peer puts in its HELLO when it offers {@link Hello#FEATURE_SHARED_MEMORY} (PROTOCOL.md, "HELLO"):
 * the Linux boot id, {@code :}, and the absolute path of its shared-memory directory. Front and worker compute it
 * the same way, so equal ids mean the same running kernel and the same directory.
 */
public final class SharedMemory {
    /** The directory regions live in unless a flag names another: tmpfs on every Linux. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private SharedMemory() {
    }

    /** The host id for {@code directory}; empty where there is no boot id (not Linux) or the id would not fit. */
    public static Optional<String> hostId(Path directory) {
        String bootId;
        try {
            bootId = Files.readString(BOOT_ID, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return Optional.empty();
        }
        String id = bootId + ":" + directory.toAbsolutePath().normalize();
        if (bootId.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > Hello.MAX_HOST_ID_BYTES) {
            return Optional.empty();
        }
        return Optional.of(id);
    }
}
