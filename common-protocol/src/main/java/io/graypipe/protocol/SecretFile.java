package io.graypipe.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A worker-link secret kept in a file (its first line, trimmed), read again on demand so a secret can be rotated
 * without a restart (docs/scale-out.md, "Rotating the worker-link secret"). {@link #refresh} is meant for a
 * housekeeping thread, never an event loop; {@link #secret} is a volatile read, safe from any thread.
 */
public final class SecretFile {
    private final Path path;
    private volatile byte[] secret;

    private SecretFile(Path path, byte[] secret) {
        this.path = path;
        this.secret = secret;
    }

    /** Reads {@code path} now; a missing, unreadable or empty file is an error here, at start. */
    public static SecretFile open(Path path) throws IOException {
        byte[] secret = read(path);
        if (secret == null) {
            throw new IOException("token file " + path + " is empty");
        }
        return new SecretFile(path, secret);
    }

    public Path path() {
        return path;
    }

    /** The secret as last read. */
    public byte[] secret() {
        return secret.clone();
    }

    /**
     * Reads the file again; returns true when it now holds another secret. A file that is missing, unreadable or
     * empty (an operator mid-edit) keeps the secret read before: write a new secret to a temporary file and
     * rename it over this one, so it is never seen half written.
     */
    public boolean refresh() {
        byte[] now;
        try {
            now = read(path);
        } catch (IOException e) {
            return false;
        }
        if (now == null || Arrays.equals(now, secret)) {
            return false;
        }
        secret = now;
        return true;
    }

    /** The first line of {@code path}, trimmed, as UTF-8 bytes; null when it is empty. */
    private static byte[] read(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        return text.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
