package io.graypipe.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The graypipe front (and the scale-worker it starts) run by the CLI when no {@code --url} is given: the same
 * main class and JVM options as {@code scripts/run} ({@code GRAYPIPE_JVM_OPTIONS}), on 127.0.0.1 and an ephemeral
 * port, with private data and upload directories deleted on {@link #close()}. Closing sends SIGTERM (the front
 * then stops its worker and children) and kills whatever is left after a grace period.
 */
final class EmbeddedFront implements AutoCloseable {
    static final String DEFAULT_JVM_OPTIONS = "-Xms64m -Xmx512m -XX:+UseG1GC";
    private static final Pattern LISTENING = Pattern.compile("graypipe front listening on (http://\\S+)");
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(20);
    private static final int KEPT_LINES = 40;
    /**
     * In a session of its own the front does not get the terminal's Ctrl-C along with the CLI, so the CLI can
     * let the uploads in flight finish before it stops the front.
     */
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;
    private final Path directory;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final CompletableFuture<URI> address = new CompletableFuture<>();

    private EmbeddedFront(Process process, Path directory) {
        this.process = process;
        this.directory = directory;
    }

    /** Starts the front from {@code classPath} and returns once GET /readyz answers 200. */
    static EmbeddedFront start(String classPath, String jvmOptions) throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("graypipe-batch-front");
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions.strip().split("\\s+")));
        command.addAll(List.of("-cp", classPath, "io.graypipe.front.FrontMain", "-i", "127.0.0.1", "-p", "0",
                "--data-dir", directory.resolve("data").toString(),
                "--upload-dir", directory.resolve("uploads").toString()));
        EmbeddedFront front = new EmbeddedFront(new ProcessBuilder(command).redirectErrorStream(true).start(),
                directory);
        try {
            front.startReading();
            front.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            front.close();
            throw e;
        }
        return front;
    }

    private void startReading() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    remember(line);
                    Matcher match = LISTENING.matcher(line);
                    if (match.find()) {
                        address.complete(URI.create(match.group(1)));
                    }
                }
            } catch (IOException e) {
                remember("[output closed: " + e.getMessage() + "]");
            }
            address.completeExceptionally(new IOException("the front exited before it listened"));
        }, "embedded-front-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        URI base;
        try {
            base = address.get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the front did not start: " + e.getMessage() + "; its last output:\n" + output());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest readyz = HttpRequest.newBuilder(base.resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
        while (true) {
            try {
                if (http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not answering yet; the deadline below bounds the wait.
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("the front did not become ready; its last output:\n" + output());
            }
            // The front announces readiness on no stream, so /readyz is asked again shortly.
            Thread.sleep(50);
        }
    }

    URI address() {
        return address.join();
    }

    ProcessHandle process() {
        return process.toHandle();
    }

    private void remember(String line) {
        synchronized (lastLines) {
            if (lastLines.size() == KEPT_LINES) {
                lastLines.removeFirst();
            }
            lastLines.addLast(line);
        }
    }

    private String output() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // A temporary directory; the system cleans what could not be deleted here.
        }
    }
}
