package io.graypipe.worker;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.SharedMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads rasters out of the shared-memory regions a front on this host wrote (PROTOCOL.md, SCALE_REQUEST
 * "SHARED"): reads the region's pixels once, with {@code pread}, into the array the scaler works on. Only ever
 * reads, and only regular files directly in the configured directory; the front owns and deletes every region.
 * Immutable and thread-safe: the worker's threads mode and every child use one.
 */
public final class SharedRegionReader {
    private static final Logger log = LoggerFactory.getLogger(SharedRegionReader.class);

    private final Path directory;
    private final String hostId;

    private SharedRegionReader(Path directory, String hostId) {
        this.directory = directory;
        this.hostId = hostId;
    }

    /**
     * A reader of {@code directory}; empty (the reason logged when {@code explain}) when it is null ({@code off}),
     * not a readable directory, or the host has no boot id. The worker then offers no SHARED_MEMORY.
     */
    public static Optional<SharedRegionReader> open(Path directory, boolean explain) {
        if (directory == null) {
            return Optional.empty();
        }
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            if (explain) {
                log.warn("shared memory: off; {} is not a readable directory, so fronts send rasters inline", dir);
            }
            return Optional.empty();
        }
        Optional<SharedRegionReader> reader = SharedMemory.hostId(dir).map(id -> new SharedRegionReader(dir, id));
        if (reader.isEmpty() && explain) {
            log.warn("shared memory: off; this host has no readable boot id, so fronts send rasters inline");
        }
        return reader;
    }

    /** What the worker puts in its HELLO: boot id, ':', the directory. */
    public String hostId() {
        return hostId;
    }

    public Path directory() {
        return directory;
    }

    /**
     * The pixels of the SHARED {@code image}, inline.
     *
     * @throws RegionUnavailableException when the region is missing, not a regular file, shorter than the raster,
     *                                    or cannot be read
     */
    public ImageData read(ImageData image) throws RegionUnavailableException {
        Path file = directory.resolve(image.region());
        if (!directory.equals(file.getParent()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new RegionUnavailableException("no region " + image.region() + " in " + directory);
        }
        long bytes = image.byteCount();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new RegionUnavailableException("a raster of " + bytes + " bytes does not fit in one array");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            if (size < bytes) {
                throw new RegionUnavailableException("region " + image.region() + " holds " + size
                        + " bytes; the " + image.width() + "x" + image.height() + " raster needs " + bytes);
            }
            // pread into the array, not a mapping: one system call instead of a page fault per 4 KiB and an unmap
            // at the next GC, which in gVisor cost 1.6-3 ms against 0.35-0.6 ms for a 2 MB raster.
            byte[] pixels = new byte[(int) bytes];
            ByteBuffer into = ByteBuffer.wrap(pixels);
            while (into.hasRemaining()) {
                if (channel.read(into, into.position()) < 0) {
                    throw new RegionUnavailableException("region " + image.region() + " ended early");
                }
            }
            return new ImageData(image.format(), image.width(), image.height(), pixels);
        } catch (NoSuchFileException e) {
            throw new RegionUnavailableException("no region " + image.region() + " in " + directory);
        } catch (IOException e) {
            throw new RegionUnavailableException("cannot read region " + image.region() + ": " + e);
        }
    }

    /** A SHARED raster this worker cannot read: the front sends it again inline. */
    public static final class RegionUnavailableException extends Exception {
        RegionUnavailableException(String message) {
            super(message);
        }
    }
}
