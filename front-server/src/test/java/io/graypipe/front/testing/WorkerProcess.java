package io.graypipe.front.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A standalone scale-worker JVM ({@code WorkerMain}) started from the test class path, as an operator would. */
public final class WorkerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("graypipe worker listening on \\[?([^\\]]+)]?:(\\d+)");

    private final JvmProcess jvm;
    private final AtomicReference<InetSocketAddress> address;

    private WorkerProcess(JvmProcess jvm, AtomicReference<InetSocketAddress> address) {
        this.jvm = jvm;
        this.address = address;
    }

    /** Starts {@code WorkerMain --port PORT --token-file TOKEN <args>} and waits until it listens. */
    public static WorkerProcess start(int port, Path tokenFile, String... args) throws IOException {
        return start(List.of(), port, tokenFile, args);
    }

    /**
     * The same with {@code launcher} words before {@code java}, e.g. {@link NetNamespaces#exec} to run the worker
     * inside a host (give it {@code --listen ADDRESS:PORT} there).
     */
    public static WorkerProcess start(List<String> launcher, int port, Path tokenFile, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("--port", Integer.toString(port),
                "--token-file", tokenFile.toString()));
        command.addAll(List.of(args));
        AtomicReference<InetSocketAddress> address = new AtomicReference<>();
        JvmProcess jvm = JvmProcess.start(launcher, "128m", "io.graypipe.worker.WorkerMain", command, line -> {
            Matcher match = LISTENING.matcher(line);
            if (match.find()) {
                address.set(new InetSocketAddress(match.group(1), Integer.parseInt(match.group(2))));
            }
        });
        try {
            jvm.awaitStarted(Duration.ofSeconds(60), "the worker to listen", () -> address.get() != null);
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        }
        return new WorkerProcess(jvm, address);
    }

    /** A worker inside {@code host} of {@code net}, listening on the host's address and {@code port}. */
    public static WorkerProcess start(NetNamespaces net, NetNamespaces.Host host, int port, Path tokenFile,
                                      List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", host.address() + ":" + port));
        all.addAll(args);
        return start(net.exec(host), port, tokenFile, all.toArray(String[]::new));
    }

    public InetSocketAddress address() {
        return address.get();
    }

    public Process process() {
        return jvm.process();
    }

    public String output() {
        return jvm.output();
    }

    /** The child JVMs of this worker that are alive. */
    public List<ProcessHandle> children() {
        return jvm.liveDescendants("io.graypipe.worker.ChildMain");
    }

    public boolean awaitExit(Duration timeout) {
        return jvm.awaitExit(timeout);
    }

    @Override
    public void close() {
        jvm.close();
    }
}
