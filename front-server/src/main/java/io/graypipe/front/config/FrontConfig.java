package io.graypipe.front.config;

import io.graypipe.protocol.LinkTls;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the front, built once by {@code FrontMain} from its flags, as small groups so each part of
 * the front takes only the group it needs. Limits live here and nowhere else.
 */
public record FrontConfig(Listen listen, Worker worker, Uploads uploads, Processing processing, Timeouts timeouts,
                          Storage storage, Caching caching, Access access) {

    /**
     * Who may use the front and how much (docs/many-users.md).
     *
     * @param apiKeys        the key file ({@code --api-keys}), or null: then every client is anonymous and open
     * @param metricsAuth    whether {@code /metrics} needs a key too (only with {@code apiKeys})
     * @param rate           images per second of each client without its own rate: an anonymous address, or a key
     *                       with none in the file; null for no limit
     * @param burst          images such a client may send at once, above its rate
     * @param trustedProxies peers whose {@code X-Forwarded-For} names the client
     * @param clientInFlight images of one client waiting for or holding a gray thread, at most; past it, 503
     * @param fifo           first come, first served instead of fair queues (only for comparison)
     */
    public record Access(java.nio.file.Path apiKeys, boolean metricsAuth, Double rate, long burst,
                         List<Cidr> trustedProxies, int clientInFlight, boolean fifo) {
        public Access {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }

    /**
     * @param maxConnections open client connections at most; past it new ones are closed at once
     */
    public record Listen(String host, int port, int maxConnections) {
    }

    /**
     * @param addresses  running scale-workers (unresolved: each is resolved off the event loop); empty to start one
     * @param local      whether this front starts a worker of its own: without addresses, or with --local-worker
     * @param tokenFile  token of the workers at {@code addresses}
     * @param processes  children of a locally started worker; null means one per available processor
     * @param inFlight   gray images sent to the workers and not yet answered, at most
     * @param tls        mutual TLS on the links to {@code addresses}, or null for plain TCP; a local worker, on
     *                   loopback, never uses it
     * @param sharedMemory directory of the shared-memory regions rasters cross to a worker on this host, or null
     *                     ({@code --shared-memory off}) to send every raster inline
     */
    public record Worker(List<InetSocketAddress> addresses, boolean local, Path tokenFile, Integer processes,
                         WorkerMode mode, String jvmOptions, int maxFrameBytes, int inFlight, LinkTls tls,
                         Path sharedMemory) {
        public Worker {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * @param memoryThreshold uploads larger than this are spooled to {@code dir}; Netty names them FUp_*
     */
    public record Uploads(long maxBytes, long memoryThreshold, Path dir, int maxHeaderBytes) {
    }

    /**
     * @param queueSize uploads that may wait for a gray thread; also sizes the upload and storage queues
     */
    /**
     * @param exactScaling decode every JPEG at full size (no shrink-on-load), so the worker scales the original
     * @param turbojpegLibrary libturbojpeg for the decoder and the local worker's encoder, or "off" for ImageIO
     * @param webpLibrary      libwebp for the local worker's WebP encoder, or "off"
     * @param avifLibrary      libavif for AVIF uploads and the local worker's AVIF encoder, or "off"
     */
    public record Processing(int queueSize, int grayThreads, long maxPixels, int maxDimension, boolean exactScaling,
                             String turbojpegLibrary, String webpLibrary, String avifLibrary) {
    }

    /**
     * @param receive a request's line, headers and body must all arrive within this long of its first byte
     */
    public record Timeouts(Duration request, Duration read, Duration receive, Duration resultTtl,
                           Duration shutdownGrace) {
    }

    /**
     * @param dataDir      where async tasks, their uploads and results are kept across restarts
     * @param dataDirGiven whether --data-dir was given; if not, a default in use by another front is not shared
     * @param maxDataBytes uploads and results the data directory may hold before async uploads get 503
     * @param store        Redis shared with other fronts, which then holds every async task instead of the data
     *                     directory; null for the data directory
     * @param claimIdle    with a store: how long a task taken by a front may go untouched before another claims it
     */
    public record Storage(Path dataDir, boolean dataDirGiven, long maxDataBytes, StoreAddress store,
                          Duration claimIdle) {
    }

    /**
     * The result cache (issue 21; docs/architecture.md).
     *
     * @param maxBytes      entries may take this many bytes (in the data directory, or in Redis with --store); 0: off
     * @param ttl           with --store: how long an entry unused lives in Redis
     * @param scope         whose entries a hit may come from
     * @param processMaxAge the {@code Cache-Control: max-age} of POST /process answers
     */
    public record Caching(long maxBytes, Duration ttl, CacheScope scope, Duration processMaxAge) {
    }

    /** Whose entries a cache hit may come from. */
    public enum CacheScope {
        /** Any client's: the same bytes and options give the same image, whoever sent them. */
        SHARED,
        /** Only this client's own (its address until API keys name clients). */
        CLIENT
    }

    /** How a worker this front starts runs its scaling. */
    public enum WorkerMode {
        PROCESSES, THREADS;

        /** As written on the command line, the front's and the worker's. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
