package io.graypipe.front.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one-machine cache: one file per entry in {@code DATA_DIR/cache}, named by the key's id, at most
 * {@code --cache-size} bytes of them.
 *
 * <p>The directory is the index that survives a restart: at start every entry file is put back into the
 * in-memory index, oldest use first (a hit sets the file's modification time). The index is a Caffeine cache of
 * entry sizes weighed in bytes, so Caffeine's policy (W-TinyLFU: frequency and recency) decides what goes when
 * the budget is full, and its removal deletes the file. A second, smaller Caffeine cache holds the hot set's
 * bytes, so the most asked-for results are answered without reading a file.
 */
public final class DiskCache extends BudgetedCache {
    private static final Logger log = LoggerFactory.getLogger(DiskCache.class);
    private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{64}");
    /** The hot set holds at most this share of the budget, and at most {@link #MAX_HOT_BYTES}. */
    private static final int HOT_SHARE = 8;
    private static final long MAX_HOT_BYTES = 64L << 20;

    private final Path directory;
    private final Cache<String, Long> index;
    private final Cache<String, CachedImage> hot;

    private DiskCache(Path directory, long maxBytes) {
        super(maxBytes);
        this.directory = directory;
        // Evictions run on the thread that adds the entry (the writer), so the budget holds when put returns.
        this.index = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(maxBytes)
                .<String, Long>weigher((id, size) -> (int) Math.min(Integer.MAX_VALUE, size))
                .removalListener((String id, Long size, RemovalCause cause) -> removed(id, size, cause))
                .build();
        this.hot = Caffeine.newBuilder().executor(Runnable::run)
                .maximumWeight(Math.min(MAX_HOT_BYTES, maxBytes / HOT_SHARE))
                .<String, CachedImage>weigher((id, image) -> image.data().length)
                .build();
    }

    /**
     * Opens the cache in {@code directory} (made when missing) and reads its index back; deletes half-written
     * entries. Call it at start-up, not on an event loop.
     */
    public static DiskCache open(Path directory, long maxBytes) throws IOException {
        Files.createDirectories(directory);
        DiskCache cache = new DiskCache(directory, maxBytes);
        record Found(Path file, String id, long size, FileTime used) {
        }
        List<Found> found;
        try (Stream<Path> files = Files.list(directory)) {
            found = files.flatMap(file -> {
                String name = file.getFileName().toString();
                try {
                    if (!ENTRY.matcher(name).matches()) {
                        Files.deleteIfExists(file); // a write cut short (*.tmp), or something that is not ours
                        return Stream.empty();
                    }
                    return Stream.of(new Found(file, name, Files.size(file), Files.getLastModifiedTime(file)));
                } catch (IOException e) {
                    return Stream.empty();
                }
            }).sorted(Comparator.comparing(Found::used)).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Found entry : found) {
            cache.used.addAndGet(entry.size());
            cache.index.put(entry.id(), entry.size());
        }
        log.info("result cache {}: {} entries, {} of {} bytes", directory, cache.index.estimatedSize(),
                cache.used.get(), maxBytes);
        return cache;
    }

    @Override
    public Optional<CachedImage> get(CacheKey key) {
        String id = key.id();
        CachedImage image = hot.getIfPresent(id);
        if (image != null) {
            index.getIfPresent(id); // counts as a use for the eviction policy
            return Optional.of(image);
        }
        if (index.getIfPresent(id) == null) {
            return Optional.empty();
        }
        Path file = directory.resolve(id);
        try {
            image = EntryCodec.decode(id, Files.readAllBytes(file));
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            hot.put(id, image);
            return Optional.of(image);
        } catch (EntryCodec.CorruptEntryException e) {
            log.warn("result cache entry {} is damaged ({}); deleted, the result is computed again", id,
                    e.getMessage());
            stats.corrupt();
            index.invalidate(id);
            return Optional.empty();
        } catch (NoSuchFileException e) {
            index.invalidate(id);
            return Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read result cache entry {}: {}", id, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public void put(CacheKey key, CachedImage image) {
        String id = key.id();
        writer.submit(() -> {
            byte[] entry = EntryCodec.encode(id, image);
            if (entry.length > maxBytes) {
                return;
            }
            Path temporary = directory.resolve(id + ".tmp");
            try {
                Files.write(temporary, entry);
                Files.move(temporary, directory.resolve(id), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                used.addAndGet(entry.length);
                index.put(id, (long) entry.length);
                hot.put(id, image);
            } catch (IOException e) {
                stats.dropped();
                log.warn("cannot store result cache entry {}: {}", id, e.toString());
            }
        });
    }

    /** An entry left the index: its bytes no longer count, and unless it was replaced its file goes. */
    private void removed(String id, Long size, RemovalCause cause) {
        used.addAndGet(-size);
        if (cause == RemovalCause.REPLACED) {
            return;
        }
        hot.invalidate(id);
        if (cause.wasEvicted()) {
            stats.evicted(1);
        }
        try {
            Files.deleteIfExists(directory.resolve(id));
        } catch (IOException e) {
            log.warn("cannot delete result cache entry {}: {}", id, e.toString());
        }
    }

    @Override
    public String kind() {
        return "disk";
    }
}
