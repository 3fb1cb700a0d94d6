package io.graypipe.front.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The key file ({@code --api-keys}) as last read: one {@link ApiKey} per line, {@code #} comments. Read at start
 * (a bad file stops the start) and again whenever it changes or the front gets SIGHUP; a bad file then keeps the
 * keys in force and logs why. {@link #find} runs on the event loop: it only reads the current list.
 */
public final class ApiKeys {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private final Path file;
    private volatile List<ApiKey> keys;
    /** Housekeeping thread (or the SIGHUP thread) only, under this object's lock. */
    private FileTime readModified;
    private long readSize;

    private ApiKeys(Path file, List<ApiKey> keys, FileTime modified, long size) {
        this.file = file;
        this.keys = keys;
        this.readModified = modified;
        this.readSize = size;
    }

    /** Reads {@code file}; throws with the line at fault when it cannot be used. */
    public static ApiKeys open(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        return new ApiKeys(file, read(file), modified, size);
    }

    static List<ApiKey> read(Path file) throws IOException {
        List<ApiKey> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": the key file is not UTF-8 text", e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                ApiKey key = ApiKey.parse(line);
                if (!names.add(key.name())) {
                    throw new IllegalArgumentException("the name " + key.name() + " is used twice");
                }
                keys.add(key);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(keys);
    }

    /** Reads the file again if its time or size changed since the last read. */
    public synchronized void reloadIfChanged() {
        try {
            if (!Files.getLastModifiedTime(file).equals(readModified) || Files.size(file) != readSize) {
                reload();
            }
        } catch (IOException e) {
            log.warn("cannot check the key file {}: {}; the keys read before stay in force", file, e.getMessage());
        }
    }

    /** Reads the file now (SIGHUP). */
    public synchronized void reload() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            List<ApiKey> fresh = read(file);
            readModified = modified;
            readSize = size;
            keys = fresh;
            log.info("read {} API keys from {}", fresh.size(), file);
        } catch (IOException e) {
            log.error("cannot use the key file {}: {}; the {} keys read before stay in force", file, e.getMessage(),
                    keys.size());
        }
    }

    /**
     * The key whose hash is the SHA-256 of {@code presented}. Every configured hash is compared, in constant time
     * ({@link MessageDigest#isEqual}), so the time taken says nothing about which key came close.
     */
    public Optional<ApiKey> find(String presented) {
        byte[] hash = ApiKey.hash(presented);
        ApiKey found = null;
        for (ApiKey key : keys) {
            if (MessageDigest.isEqual(hash, key.sha256()) && found == null) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    public List<ApiKey> all() {
        return keys;
    }
}
