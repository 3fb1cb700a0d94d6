package io.graypipe.front.http;

import io.graypipe.front.FrontMain;
import io.graypipe.front.FrontServer;

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
        server = FrontServer.start(FrontMain.parse("-i", "127.0.0.1", "-p", "0", "-n", "1", "--worker-mode", "threads",
                "--worker-jvm-options", "-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "--max-upload-bytes", Long.toString(maxUploadBytes),
                "--upload-memory-threshold", Long.toString(uploadMemoryThreshold), "--upload-dir", uploadDir.toString(),
                "--max-pixels", Long.toString(maxPixels), "--max-dimension", Integer.toString(maxDimension),
                "--max-header-bytes", Integer.toString(maxHeaderBytes), "--queue-size", Integer.toString(queueSize),
                "--gray-threads", Integer.toString(grayThreads), "--worker-in-flight", Integer.toString(workerInFlight),
                "--request-timeout", requestTimeout.toString(), "--read-timeout", readTimeout.toString(),
                "--receive-timeout", receiveTimeout.toString(), "--shutdown-grace", "2",
                "--data-dir", Files.createTempDirectory("graypipe-test-data").toString()));
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
