package io.graypipe.front.worker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scale-worker JVM started and supervised by this front, on loopback and an ephemeral port. The token goes to
 * it on stdin, never on the command line, and stdin stays open as a lifeline: if this front dies, even by
 * {@code kill -9}, the worker sees EOF and exits, and its children follow. A worker that dies is started again.
 */
public final class LocalWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalWorker.class);
    /** The worker's main class, named rather than imported: the front never links against worker code. */
    static final String WORKER_MAIN = "io.graypipe.worker.WorkerMain";
    private static final Pattern LISTENING = Pattern.compile("graypipe worker listening on \\[?([^\\]]+)]?:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final List<String> command;
    private final String token;
    private volatile Process process;
    private volatile CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
    private volatile boolean closing;

    private LocalWorker(List<String> command, String token) {
        this.command = command;
        this.token = token;
    }

    /**
     * Starts the worker and returns at once; {@link #address()} answers once it listens.
     *
     * @param sharedMemory     the front's shared-memory directory, which the worker reads regions from; null for off
     * @param codecFlags       the worker's codec library flags ({@code --turbojpeg-library}, {@code --webp-library},
     *                         {@code --avif-library}, each with a library or "off")
     */
    public static LocalWorker start(Integer processes, String mode, String jvmOptions, int maxFrameBytes, String token,
                                    Path sharedMemory, List<String> codecFlags) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // Its own session keeps the worker out of the terminal's process group, so Ctrl-C reaches only the
            // front, which then drains and stops the worker in order instead of both dying at once.
            command.add(SETSID.toString());
        }
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!jvmOptions.isBlank()) {
            command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WORKER_MAIN,
                "--ip", "127.0.0.1", "--port", "0", "--mode", mode, "--token-stdin",
                "--max-frame-bytes", Integer.toString(maxFrameBytes),
                "--shared-memory", sharedMemory != null ? sharedMemory.toString() : "off"));
        command.addAll(codecFlags);
        if (processes != null) {
            command.addAll(List.of("--processes", processes.toString()));
        }
        LocalWorker worker = new LocalWorker(command, token);
        worker.launch();
        return worker;
    }

    /** The address the current worker listens on; throws while it is starting or restarting. */
    public InetSocketAddress address() {
        CompletableFuture<InetSocketAddress> current = address;
        if (!current.isDone()) {
            throw new IllegalStateException("the local scale-worker is starting");
        }
        return current.join();
    }

    /** Waits until the worker listens, for start-up. */
    public InetSocketAddress awaitAddress() throws Exception {
        return address.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long pid() {
        return process.pid();
    }

    private synchronized void launch() throws IOException {
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        address = listening;
        Process started = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process = started;
        OutputStream stdin = started.getOutputStream();
        stdin.write((token + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        Thread reader = new Thread(() -> readStdout(started, listening), "local-worker-stdout");
        reader.setDaemon(true);
        reader.start();
        started.onExit().thenRun(() -> onExit(started));
        log.info("started scale-worker, pid {}", started.pid());
    }

    private void readStdout(Process started, CompletableFuture<InetSocketAddress> listening) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher match = LISTENING.matcher(line);
                if (match.find()) {
                    listening.complete(new InetSocketAddress(match.group(1), Integer.parseInt(match.group(2))));
                } else {
                    log.info("worker: {}", line);
                }
            }
        } catch (IOException e) {
            log.debug("worker stdout closed: {}", e.getMessage());
        }
    }

    private void onExit(Process exited) {
        if (closing || exited != process) {
            return;
        }
        log.warn("scale-worker pid {} exited with {}; starting a new one", exited.pid(), exited.exitValue());
        try {
            launch();
        } catch (IOException e) {
            log.error("cannot restart the scale-worker: {}", e.getMessage());
        }
    }

    /** Closes the lifeline so the worker drains and exits, and kills it if it outlasts {@code grace}. */
    public void stop(Duration grace) {
        closing = true;
        Process current = process;
        try {
            current.getOutputStream().close();
            if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("scale-worker did not exit within {} ms; killing it", grace.toMillis());
                current.descendants().forEach(ProcessHandle::destroyForcibly);
                current.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            current.destroyForcibly();
        } catch (InterruptedException e) {
            current.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
