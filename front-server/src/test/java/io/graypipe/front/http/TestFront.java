package io.graypipe.front.http;

import io.graypipe.front.FrontConfig;
import io.graypipe.front.FrontServer;
import io.graypipe.protocol.MessageCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * A real front, in this JVM, on 127.0.0.1 and an ephemeral port, with its own scale-worker JVM (threads mode, one
 * child) and its own upload directory. Settings start at the production defaults of {@code FrontMain}; tests
 * change the ones they exercise before {@link #start()}.
 */
final class TestFront implements AutoCloseable {
    long maxUploadBytes = 50L << 20;
    long uploadMemoryThreshold = 4L << 20;
    long maxPixels = 50_000_000;
    int maxDimension = 20_000;
    int maxHeaderBytes = 16_384;
    int queueSize = 64;
    int grayThreads = 2;
    int workerInFlight = 4;
    Duration requestTimeout = Duration.ofSeconds(30);
    Duration readTimeout = Duration.ofSeconds(30);
    Duration receiveTimeout = Duration.ofSeconds(60);

    private Path uploadDir;
    private FrontServer server;

    TestFront start() throws Exception {
        uploadDir = Files.createTempDirectory("graypipe-test-uploads");
        server = FrontServer.start(new FrontConfig("127.0.0.1", 0, null, null, 1, "threads",
                "-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", maxUploadBytes, uploadMemoryThreshold,
                uploadDir, maxPixels, maxDimension, maxHeaderBytes, queueSize, grayThreads, workerInFlight,
                requestTimeout, readTimeout, receiveTimeout, Duration.ofMinutes(10), Duration.ofSeconds(2),
                MessageCodec.DEFAULT_MAX_FRAME_BYTES));
        Await.until(Duration.ofSeconds(30), server::workerReady, "the scale-worker to accept the front");
        return this;
    }

    InetSocketAddress address() {
        return server.addresses().get(0);
    }

    Path uploadDir() {
        return uploadDir;
    }

    /** Netty's temporary upload files (prefix FUp_) still in the upload directory. */
    long spooledFiles() {
        try (Stream<Path> files = Files.list(uploadDir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("FUp_")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        if (uploadDir != null) {
            try (Stream<Path> files = Files.walk(uploadDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
