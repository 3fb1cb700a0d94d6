package io.graypipe.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The worker's shared secret on disk: create one readable by its owner only where there is none. */
final class TokenFiles {
    private TokenFiles() {
    }

    /** Writes a random secret to {@code file} unless it exists; it is read (and re-read) by {@code SecretFile}. */
    static void createIfMissing(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".graypipe-token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, HexFormat.of().formatHex(random) + "\n");
            try {
                Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(temp);
                if (!Files.exists(file)) {
                    throw e;
                }
            }
        }
    }
}
