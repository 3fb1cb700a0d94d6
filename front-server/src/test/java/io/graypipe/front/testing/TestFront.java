package io.graypipe.front.testing;

import io.graypipe.front.FrontMain;
import io.graypipe.front.FrontServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real front, in this JVM, on 127.0.0.1 and an ephemeral port, with its own scale-worker JVM and its own data and
 * upload directories, configured through {@link FrontMain#parse} as a user configures it. Settings start at the
 * production defaults of {@code FrontMain}, except that the worker runs one child in threads mode (small JVM),
 * two gray threads and four images in flight; tests change the ones they exercise on the {@link Builder}.
 */
public final class TestFront implements AutoCloseable {
    private final FrontServer server;
    private final Path root;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestFront(FrontServer server, Path root) {
        this.server = server;
        this.root = root;
        this.base = URI.create("http://127.0.0.1:" + server.addresses().get(0).getPort());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Command-line options of the front; each setter sets one, a later call replacing an earlier one. */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private final List<String> flags = new ArrayList<>();
        private Path dataDir;

        private Builder() {
            workerMode("threads");
            processes(1);
            grayThreads(2);
            workerInFlight(4);
            shutdownGrace(Duration.ofSeconds(2));
        }

        /** {@code processes} or {@code threads}. */
        public Builder workerMode(String mode) {
            return option("--worker-mode", mode);
        }

        public Builder processes(int children) {
            return option("--processes", Integer.toString(children));
        }

        public Builder maxUploadBytes(long bytes) {
            return option("--max-upload-bytes", Long.toString(bytes));
        }

        public Builder uploadMemoryThreshold(long bytes) {
            return option("--upload-memory-threshold", Long.toString(bytes));
        }

        public Builder maxPixels(long pixels) {
            return option("--max-pixels", Long.toString(pixels));
        }

        public Builder maxDimension(int pixels) {
            return option("--max-dimension", Integer.toString(pixels));
        }

        public Builder maxHeaderBytes(int bytes) {
            return option("--max-header-bytes", Integer.toString(bytes));
        }

        public Builder queueSize(int uploads) {
            return option("--queue-size", Integer.toString(uploads));
        }

        public Builder grayThreads(int threads) {
            return option("--gray-threads", Integer.toString(threads));
        }

        public Builder workerInFlight(int images) {
            return option("--worker-in-flight", Integer.toString(images));
        }

        public Builder requestTimeout(Duration timeout) {
            return option("--request-timeout", timeout.toMillis() + "ms");
        }

        public Builder readTimeout(Duration timeout) {
            return option("--read-timeout", timeout.toMillis() + "ms");
        }

        public Builder receiveTimeout(Duration timeout) {
            return option("--receive-timeout", timeout.toMillis() + "ms");
        }

        /** {@code --store URI}: async tasks and batches in that Redis, shared with other fronts on it. */
        public Builder store(String uri) {
            return option("--store", uri);
        }

        /** How long {@link #close} gives requests under way before answering them 503. */
        public Builder shutdownGrace(Duration grace) {
            return option("--shutdown-grace", grace.toMillis() + "ms");
        }

        public Builder maxConnections(int connections) {
            return option("--max-connections", Integer.toString(connections));
        }

        public Builder maxDataBytes(long bytes) {
            return option("--max-data-bytes", Long.toString(bytes));
        }

        /** {@code --exact-scaling}: no JPEG shrink-on-load. */
        public Builder exactScaling() {
            flags.add("--exact-scaling");
            return this;
        }

        /** Further command-line words as a user would type them, e.g. {@code args("--rate-limit", "2")}. */
        public Builder args(String... words) {
            flags.addAll(List.of(words));
            return this;
        }

        /** The data directory, kept after {@code close()}: for a front started again on the same one. */
        public Builder dataDir(Path dir) {
            dataDir = dir;
            return this;
        }

        /** Any other option of FrontMain, as a user would pass it, e.g. {@code option("--cache-size", "0")}. */
        public Builder option(String name, String value) {
            options.put(name, value);
            return this;
        }

        /** Starts the front and waits until its worker has accepted it. */
        public TestFront start() throws Exception {
            Path root = Files.createTempDirectory("graypipe-test-front");
            Files.createDirectories(root.resolve("uploads"));
            List<String> args = new ArrayList<>(List.of("-i", "127.0.0.1", "-p", "0",
                    "--worker-jvm-options", "-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                    "--data-dir", (dataDir != null ? dataDir : root.resolve("data")).toString(),
                    "--upload-dir", root.resolve("uploads").toString()));
            options.forEach((name, value) -> args.addAll(List.of(name, value)));
            args.addAll(flags);
            if (!args.contains("--cache-size")) {
                // Tests send the same images again and again, and most test what happens to the work: a result cache
                // would answer them without it. The cache's own tests turn it on with option("--cache-size", ...).
                args.addAll(List.of("--cache-size", "0"));
            }
            FrontServer server;
            try {
                server = FrontServer.start(FrontMain.parse(args.toArray(String[]::new)));
            } catch (Exception | Error e) {
                Directories.deleteTree(root);
                throw e;
            }
            TestFront front = new TestFront(server, root);
            try {
                Await.until(Duration.ofSeconds(30), "the scale-worker to accept the front and report a live child", server::workerReady);
            } catch (RuntimeException | Error e) {
                front.close();
                throw e;
            }
            return front;
        }
    }

    public InetSocketAddress address() {
        return server.addresses().get(0);
    }

    /** The base URI, {@code http://127.0.0.1:PORT}. */
    public URI base() {
        return base;
    }

    public URI uri(String path) {
        return base.resolve(path);
    }

    /** The client {@link #get} and {@link #post} use, for requests they do not cover. */
    public HttpClient http() {
        return http;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, Multipart body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One sample of /metrics ({@code series}: name and labels as written); 0 when absent. */
    public double metric(String series) {
        try {
            return FrontProcess.sample(get("/metrics").body(), series);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading /metrics", e);
        }
    }

    /** The data directory this front uses. */
    public Path dataDir() {
        return server.dataDir();
    }

    public Path uploadDir() {
        return root.resolve("uploads");
    }

    /** Netty's temporary upload files (prefix FUp_) still in the upload directory. */
    public long spooledFiles() {
        try (Stream<Path> files = Files.list(uploadDir())) {
            return files.filter(f -> f.getFileName().toString().startsWith("FUp_")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Directories.deleteTree(root);
    }
}
