package io.graypipe.front;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.image.CodecLibraries;
import io.graypipe.front.image.TurboJpegLibrary;
import io.graypipe.front.worker.LocalWorker;
import io.graypipe.front.worker.SharedRegions;
import io.graypipe.front.worker.WorkerClient;
import io.graypipe.front.worker.WorkerPool;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.SecretFile;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The scaling side of the front: the codec libraries this front loaded (and hands to the worker it starts), its
 * shared-memory regions, the worker it starts unless {@code --worker} names others, and the pool of connections.
 */
record FrontWorkers(Optional<TurboJpeg> turboJpeg, CodecLibraries codecs, SharedRegions regions,
                    LocalWorker localWorker, Workers pool) {
    private static final Logger log = LoggerFactory.getLogger(FrontWorkers.class);

    /**
     * Loads the libraries, opens the regions (null when rasters go inline) and starts the local worker; connects
     * nothing yet. {@code transferred} is told how long each raster took to reach a worker's socket.
     */
    static FrontWorkers open(FrontConfig config, FrontExecutors executors, Consumer<Duration> transferred)
            throws IOException {
        FrontConfig.Worker settings = config.worker();
        SharedRegions regions = SharedRegions.open(settings.sharedMemory()).orElse(null);
        Optional<TurboJpeg> turboJpeg = TurboJpegLibrary.load(config.processing().turbojpegLibrary());
        CodecLibraries codecs = CodecLibraries.load(config.processing().webpLibrary(),
                config.processing().avifLibrary());
        List<WorkerClient> connections = new ArrayList<>();
        if (!settings.addresses().isEmpty()) {
            // Read again every second, off the event loops: a rotated secret is used by the next connection, with
            // no restart (docs/scale-out.md, "Rotating the worker-link secret").
            SecretFile token = SecretFile.open(settings.tokenFile());
            executors.housekeeping().scheduleWithFixedDelay(() -> {
                if (token.refresh()) {
                    log.info("worker token file {} changed: new connections to workers present the new secret",
                            token.path());
                }
            }, 1, 1, TimeUnit.SECONDS);
            SslContext tls = settings.tls() != null ? settings.tls().clientContext() : null;
            for (InetSocketAddress address : settings.addresses()) {
                connections.add(new WorkerClient(executors.ioGroup(), address.getHostString() + ":" + address.getPort(),
                        () -> address, token::secret, settings.maxFrameBytes(),
                        tls, transferred, regions));
            }
        }
        LocalWorker localWorker = null;
        if (settings.local()) {
            // A fresh secret, handed to the worker on stdin.
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String localToken = HexFormat.of().formatHex(random);
            localWorker = LocalWorker.start(settings.processes(), settings.mode().label(), settings.jvmOptions(),
                    settings.maxFrameBytes(), localToken, settings.sharedMemory(), codecFlags(turboJpeg, codecs));
            byte[] secret = localToken.getBytes(StandardCharsets.UTF_8);
            connections.add(new WorkerClient(executors.ioGroup(), "local", localWorker::address, secret::clone,
                    settings.maxFrameBytes(), null, transferred, regions));
        }
        return new FrontWorkers(turboJpeg, codecs, regions, localWorker, new WorkerPool(connections));
    }

    /** The local worker's codec library flags: the libraries this front loaded, by name, else "off". */
    private static List<String> codecFlags(Optional<TurboJpeg> turboJpeg, CodecLibraries codecs) {
        List<String> flags = new ArrayList<>(List.of("--turbojpeg-library",
                turboJpeg.map(TurboJpeg::library).orElse("off")));
        flags.addAll(codecs.workerFlags());
        return flags;
    }

    /** Connects to every worker, once the one this front started says where it listens. */
    void start() throws Exception {
        if (localWorker != null) {
            localWorker.awaitAddress();
        }
        pool.start();
    }

    /** Closes the connections and the regions, then stops the worker this front started within {@code grace}. */
    void close(Duration grace) {
        pool.close();
        if (regions != null) {
            regions.close();
        }
        if (localWorker != null) {
            localWorker.stop(grace);
        }
    }
}
