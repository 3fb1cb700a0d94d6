package io.graypipe.front.worker;

import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.ImageData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Whether a raster goes to one worker through a {@link SharedRegions} region or inline in the frame. A region is
 * written only when this front offers shared memory, the last handshake with the worker agreed on it (same boot id
 * and directory in both HELLOs), and the raster has at least {@link SharedRegions#MIN_REGION_BYTES}: smaller ones
 * are cheaper inline. A region that cannot be written, or that the worker could not read (REGION_UNAVAILABLE), means
 * inline; the second is logged once per worker.
 */
final class SharedMemoryChoice {
    private static final Logger log = LoggerFactory.getLogger(SharedMemoryChoice.class);

    /** This front's regions; null with --shared-memory off. */
    private final SharedRegions regions;
    /** The last handshake's agreement, read on the caller's thread of {@link #regionFor}. */
    private volatile boolean workerShares = true;
    /** Whether a REGION_UNAVAILABLE was logged already; event loop only. */
    private boolean refusalLogged;

    SharedMemoryChoice(SharedRegions regions) {
        this.regions = regions;
    }

    /** The features of this front's HELLO. */
    int helloFeatures() {
        return regions != null ? Hello.FEATURE_SHARED_MEMORY : 0;
    }

    /** The host id of this front's HELLO; empty without shared memory. */
    String hostId() {
        return regions != null ? regions.hostId() : "";
    }

    /** What the latest handshake agreed; returns how rasters travel from now on, for the log. */
    String agreed(boolean sharesMemory) {
        workerShares = sharesMemory;
        return sharesMemory ? "through shared memory in " + regions.directory() : "inline";
    }

    /**
     * A region holding {@code image}'s pixels, written now on the caller's thread, or null when they go inline.
     * The caller owns the region and {@link #release}s it when its request ends.
     */
    String regionFor(ImageData image) {
        if (regions == null || !workerShares || image.byteCount() < SharedRegions.MIN_REGION_BYTES) {
            return null;
        }
        try {
            return regions.write(image);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot write a shared-memory region in {}, sending the pixels inline: {}", regions.directory(),
                    e.toString());
            return null;
        }
    }

    void release(String region) {
        regions.release(region);
    }

    /** The worker could not read {@code region}: said once, since every later refusal has the same cause. */
    void refused(String region, ErrorMessage error) {
        if (!refusalLogged) {
            refusalLogged = true;
            log.warn("the scale-worker could not read shared-memory region {} ({}); sending such requests again inline",
                    region, error.message());
        }
    }
}
