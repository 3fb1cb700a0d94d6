package io.graypipe.front.testing;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real front-server JVM started from the test class path, as a user would start it, which starts its own
 * scale-worker and children. Closing it stops the whole process tree.
 */
public final class GraypipeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("graypipe front listening on (http://\\S+)");

    private final Process process;
    private final List<URI> addresses = new CopyOnWriteArrayList<>();
    private final StringBuffer output = new StringBuffer();

    private GraypipeProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code graypipe -p 0 <args>} and waits until it listens on {@code expectedAddresses} and is ready. */
    public static GraypipeProcess start(int expectedAddresses, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.graypipe.front.FrontMain", "-p", "0",
                "--data-dir", Files.createTempDirectory("graypipe-data").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        GraypipeProcess front = new GraypipeProcess(process);
        Thread reader = new Thread(front::readOutput, "front-output");
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(Duration.ofSeconds(60), "the front to listen on " + expectedAddresses + " addresses",
                    () -> front.addresses.size() >= expectedAddresses || !process.isAlive());
            if (!process.isAlive()) {
                throw new IllegalStateException("front exited: " + front.output);
            }
            HttpClient client = HttpClient.newHttpClient();
            Await.until(Duration.ofSeconds(60), "GET /readyz to answer 200", () -> front.ready(client));
        } catch (RuntimeException | Error e) {
            front.close();
            throw e;
        }
        return front;
    }

    private boolean ready(HttpClient client) {
        try {
            return client.send(HttpRequest.newBuilder(uri("/readyz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                Matcher match = LISTENING.matcher(line);
                if (match.find()) {
                    addresses.add(URI.create(match.group(1)));
                }
            }
        } catch (IOException e) {
            output.append("[output closed: ").append(e.getMessage()).append("]\n");
        }
    }

    /** The base URIs the front printed, in order. */
    public List<URI> addresses() {
        return addresses;
    }

    /** {@code path} on the first address. */
    public URI uri(String path) {
        return addresses.get(0).resolve(path);
    }

    /** {@code path} on the address whose host contains {@code hostPart} (e.g. "127.0.0.1" or "[::1]"). */
    public URI uri(String hostPart, String path) {
        return addresses.stream().filter(a -> a.getHost().contains(hostPart)).findFirst()
                .orElseThrow(() -> new AssertionError("no address with " + hostPart + " in " + addresses))
                .resolve(path);
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Live child worker processes (the JVMs running ChildMain) under this front. */
    public List<ProcessHandle> children() {
        return process.descendants()
                .filter(p -> p.isAlive() && commandLine(p).contains("io.graypipe.worker.ChildMain"))
                .toList();
    }

    /** The full command line from /proc; ProcessHandle.Info gives up on very long ones such as our class path. */
    static String commandLine(ProcessHandle process) {
        try {
            return new String(java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    public String output() {
        return output.toString();
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
