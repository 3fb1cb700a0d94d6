package io.graypipe.front.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real front-server JVM started from the test class path on {@code 127.0.0.1}, with the scale-worker and
 * children it starts itself. Can be killed with SIGKILL or stopped with SIGTERM; closing it kills whatever of
 * the process tree is left.
 */
public final class FrontProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("graypipe front listening on (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The front closes connections idle for --read-timeout (30 s). A client that reuses a pooled connection
        // just as it closes gets "received no bytes" on a POST it must not retry; keep pooled ones younger.
        System.setProperty("jdk.httpclient.keepalive.timeout", "10");
    }

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile URI base;

    private FrontProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code graypipe -i 127.0.0.1 -p PORT <args>}, then waits until it listens and, if asked, is ready. */
    public static FrontProcess start(int port, boolean awaitReady, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.graypipe.front.FrontMain", "-i", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        FrontProcess front = new FrontProcess(process);
        Thread reader = new Thread(front::readOutput, "front-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(Duration.ofSeconds(60), "the front to listen",
                    () -> front.base != null || !process.isAlive());
            if (!process.isAlive()) {
                throw new IllegalStateException("front exited: " + front.output);
            }
            if (awaitReady) {
                Await.until(Duration.ofSeconds(60), "GET /readyz to answer 200", () -> front.readyzStatus() == 200);
            }
        } catch (RuntimeException | Error e) {
            front.close();
            throw e;
        }
        return front;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                Matcher match = LISTENING.matcher(line);
                if (match.find()) {
                    base = URI.create(match.group(1));
                }
            }
        } catch (IOException e) {
            output.append("[output closed: ").append(e.getMessage()).append("]\n");
        }
    }

    public URI uri(String path) {
        return base.resolve(path);
    }

    public int port() {
        return base.getPort();
    }

    public Process process() {
        return process;
    }

    /** Everything the front printed, stdout and stderr, for failure messages. */
    public String output() {
        return output.toString();
    }

    // ---- HTTP

    /** POSTs {@code image} raw to {@code path} (with its query) and returns the response, body as bytes. */
    public HttpResponse<byte[]> post(String pathAndQuery, byte[] image) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

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

    public HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
        return liveDescendants("io.graypipe.worker.WorkerMain");
    }

    /** The child JVMs of the scale-worker under this front. */
    public List<ProcessHandle> children() {
        return liveDescendants("io.graypipe.worker.ChildMain");
    }

    private List<ProcessHandle> liveDescendants(String mainClass) {
        return ProcessTree.live(process.toHandle(), mainClass);
    }

    /** SIGKILL: the front gets no chance to clean up. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM, as a deploy or Ctrl-C would send. */
    public void terminate() {
        process.destroy();
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> handle).join();
        }
    }
}
