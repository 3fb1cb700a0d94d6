package io.graypipe.front.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real front-server JVM started from the test class path, as a user starts it, with the scale-worker and
 * children it starts itself. By default it listens on {@code 127.0.0.1} and an ephemeral port, keeps its tasks in a
 * private temporary data directory, and {@link Builder#start()} returns once GET /readyz answers 200. Can be killed
 * with SIGKILL or stopped with SIGTERM; closing it kills whatever of the process tree is left.
 */
public final class FrontProcess implements HttpTarget, AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("graypipe front listening on (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The front closes connections idle for --read-timeout (30 s). A client that reuses a pooled connection
        // just as it closes gets "received no bytes" on a POST it must not retry; keep pooled ones younger.
        System.setProperty("jdk.httpclient.keepalive.timeout", "10");
    }

    private final JvmProcess jvm;
    private final List<URI> addresses;
    private final Path privateDataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FrontProcess(JvmProcess jvm, List<URI> addresses, Path privateDataDir) {
        this.jvm = jvm;
        this.addresses = addresses;
        this.privateDataDir = privateDataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to start the front: {@code graypipe -i HOST -p PORT --data-dir DIR <args>}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int expectedAddresses = 1;
        private int port = 0;
        private Path dataDir;
        private boolean awaitReady = true;
        private final List<String> args = new ArrayList<>();
        private final List<String> launcher = new ArrayList<>();

        private Builder() {
        }

        /** Listen on {@code host}, which resolves to {@code addresses} addresses (e.g. localhost to two). */
        public Builder listenOn(String host, int addresses) {
            this.host = host;
            this.expectedAddresses = addresses;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A data directory the test owns, e.g. to restart a front on it; otherwise a private one is made. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Whether {@link #start()} also waits for GET /readyz to answer 200 (by default it does). */
        public Builder awaitReady(boolean awaitReady) {
            this.awaitReady = awaitReady;
            return this;
        }

        /** Words put before {@code java}, e.g. {@link NetNamespaces#exec} to run the front inside a host. */
        public Builder launcher(List<String> words) {
            launcher.clear();
            launcher.addAll(words);
            return this;
        }

        /** More command-line options. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Starts the front and waits until it listens on every address and, if asked, is ready. */
        public FrontProcess start() throws IOException {
            Path privateDataDir = dataDir == null ? Files.createTempDirectory("graypipe-test-data") : null;
            List<String> command = new ArrayList<>(List.of("-i", host, "-p", Integer.toString(port),
                    "--data-dir", (dataDir != null ? dataDir : privateDataDir).toString()));
            command.addAll(args);
            if (!args.contains("--cache-size")) {
                // As in TestFront: the cache is off unless a test turns it on, so repeated images reach the workers.
                command.addAll(List.of("--cache-size", "0"));
            }
            List<URI> addresses = new CopyOnWriteArrayList<>();
            JvmProcess jvm = JvmProcess.start(launcher, "256m", "io.graypipe.front.FrontMain", command, line -> {
                Matcher match = LISTENING.matcher(line);
                if (match.find()) {
                    addresses.add(URI.create(match.group(1)));
                }
            });
            FrontProcess front = new FrontProcess(jvm, addresses, privateDataDir);
            try {
                jvm.awaitStarted(Duration.ofSeconds(60), "the front to listen on " + expectedAddresses + " address(es)",
                        () -> addresses.size() >= expectedAddresses);
                if (awaitReady) {
                    Await.until(Duration.ofSeconds(60), "GET /readyz to answer 200", () -> front.readyzStatus() == 200);
                }
            } catch (RuntimeException | Error e) {
                front.close();
                throw e;
            }
            return front;
        }
    }

    /** The base URIs the front printed, in order. */
    public List<URI> addresses() {
        return addresses;
    }

    /** {@code path} on the address whose host contains {@code hostPart} (e.g. "127.0.0.1" or "[::1]"). */
    public URI uri(String hostPart, String path) {
        return addresses.stream().filter(a -> a.getHost().contains(hostPart)).findFirst()
                .orElseThrow(() -> new AssertionError("no address with " + hostPart + " in " + addresses))
                .resolve(path);
    }

    /** {@code path} on the first address. */
    @Override
    public URI uri(String path) {
        return addresses.get(0).resolve(path);
    }

    public int port() {
        return addresses.get(0).getPort();
    }

    public Process process() {
        return jvm.process();
    }

    /** Everything the front printed, stdout and stderr, for failure messages. */
    @Override
    public String output() {
        return jvm.output();
    }

    // ---- HTTP

    /** The status of GET /readyz, or -1 when the front does not answer. */
    public int readyzStatus() {
        try {
            return http.send(HttpRequest.newBuilder(uri("/readyz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public HttpClient http() {
        return http;
    }

    /**
     * The entry of GET /stats {@code workers} whose address is {@code address} (as given to {@code --worker}):
     * connected, children, in_flight, dispatched, failures.
     */
    public JsonNode workerStats(String address) {
        HttpResponse<byte[]> stats = get("/stats");
        for (JsonNode worker : json(stats).get("workers")) {
            if (worker.get("address").asText().equals(address)) {
                return worker;
            }
        }
        throw new AssertionError("no worker " + address + " in /stats: " + new String(stats.body(), StandardCharsets.UTF_8));
    }

    /** The value of one sample of GET /metrics, e.g. {@code graypipe_http_requests_total{method="GET",…}}; 0 when absent. */
    public double metric(String series) {
        return sample(new String(get("/metrics").body(), StandardCharsets.UTF_8), series);
    }

    /** The value of {@code series} (name and labels, as written) in a /metrics text; 0 when absent. */
    static double sample(String metrics, String series) {
        Matcher sample = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    public static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): "
                    + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }

    // ---- processes

    /** The scale-worker JVMs under this front (normally one). */
    public List<ProcessHandle> workers() {
        return jvm.liveDescendants("io.graypipe.worker.WorkerMain");
    }

    /** The child JVMs of the scale-worker under this front. */
    public List<ProcessHandle> children() {
        return jvm.liveDescendants("io.graypipe.worker.ChildMain");
    }

    /** SIGKILL: the front gets no chance to clean up. */
    public void kill9() {
        jvm.process().destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM, as a deploy or Ctrl-C would send. */
    public void terminate() {
        jvm.process().destroy();
    }

    public boolean awaitExit(Duration timeout) {
        return jvm.awaitExit(timeout);
    }

    @Override
    public void close() {
        jvm.close();
        if (privateDataDir != null) {
            try {
                Directories.deleteTree(privateDataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
