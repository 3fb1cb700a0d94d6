package io.graypipe.front.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A graypipe JVM started from the test class path, as an operator would start it: its output (stdout and stderr)
 * is kept for failure messages and shown line by line to whoever started it; closing it kills its process tree.
 * {@link FrontProcess} and {@link WorkerProcess} are built on it.
 */
final class JvmProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();

    private JvmProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code java -Xmx<maxHeap> -cp <test class path> mainClass args}; every output line also goes to onLine. */
    static JvmProcess start(String maxHeap, String mainClass, List<String> args, Consumer<String> onLine)
            throws IOException {
        return start(List.of(), maxHeap, mainClass, args, onLine);
    }

    /**
     * The same, with {@code launcher} words before {@code java}, e.g. {@code ip netns exec NAME}
     * ({@link NetNamespaces#exec}) to run it on another "host".
     */
    static JvmProcess start(List<String> launcher, String maxHeap, String mainClass, List<String> args,
                            Consumer<String> onLine) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        JvmProcess jvm = new JvmProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        Thread reader = new Thread(() -> jvm.readOutput(onLine), "output-" + jvm.process.pid());
        reader.setDaemon(true);
        reader.start();
        return jvm;
    }

    private void readOutput(Consumer<String> onLine) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                onLine.accept(line);
            }
        } catch (IOException e) {
            output.append("[output closed: ").append(e.getMessage()).append("]\n");
        }
    }

    /** Waits until {@code started} holds; fails with the output if the JVM exits first. */
    void awaitStarted(Duration timeout, String what, BooleanSupplier started) {
        Await.until(timeout, what, () -> started.getAsBoolean() || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException(what + ", but the process exited: " + output);
        }
    }

    Process process() {
        return process;
    }

    String output() {
        return output.toString();
    }

    /** Live descendants of this JVM whose command line names {@code mainClass}. */
    List<ProcessHandle> liveDescendants(String mainClass) {
        return process.descendants().filter(p -> p.isAlive() && commandLine(p).contains(mainClass)).toList();
    }

    /**
     * The full command line. {@link ProcessHandle.Info#commandLine()} stops at 4096 bytes on Linux, which a test
     * class path easily exceeds, so /proc is read directly where it exists.
     */
    private static String commandLine(ProcessHandle process) {
        Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(cmdline)) {
                return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException e) {
            // The process exited between the check and the read; it has no command line any more.
            return "";
        }
        return process.info().commandLine().orElse("");
    }

    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL to the JVM and everything under it, and waits for all of them to exit. */
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
