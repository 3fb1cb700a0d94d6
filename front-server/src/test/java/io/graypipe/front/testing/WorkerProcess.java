package io.graypipe.front.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A standalone scale-worker JVM ({@code WorkerMain}) started from the test class path, as an operator would. */
public final class WorkerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("graypipe worker listening on \\[?([^\\]]+)]?:(\\d+)");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private volatile InetSocketAddress address;

    private WorkerProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code WorkerMain --port PORT --token-file TOKEN <args>} and waits until it listens. */
    public static WorkerProcess start(int port, Path tokenFile, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.graypipe.worker.WorkerMain", "--port", Integer.toString(port),
                "--token-file", tokenFile.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        WorkerProcess worker = new WorkerProcess(process);
        Thread reader = new Thread(worker::readOutput, "worker-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(Duration.ofSeconds(60), "the worker to listen",
                    () -> worker.address != null || !process.isAlive());
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited: " + worker.output);
            }
        } catch (RuntimeException | Error e) {
            worker.close();
            throw e;
        }
        return worker;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                Matcher match = LISTENING.matcher(line);
                if (match.find()) {
                    address = new InetSocketAddress(match.group(1), Integer.parseInt(match.group(2)));
                }
            }
        } catch (IOException e) {
            output.append("[output closed: ").append(e.getMessage()).append("]\n");
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public Process process() {
        return process;
    }

    public String output() {
        return output.toString();
    }

    /** The child JVMs of this worker that are alive. */
    public List<ProcessHandle> children() {
        return ProcessTree.live(process.toHandle(), "io.graypipe.worker.ChildMain");
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
    }
}
