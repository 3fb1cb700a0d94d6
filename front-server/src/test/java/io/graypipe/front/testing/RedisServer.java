package io.graypipe.front.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.function.Function;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for a test, on a free port with a private temporary directory, no snapshots and no
 * append-only file unless asked: {@code try (RedisServer redis = RedisServer.start()) { ... redis.uri() ... }}.
 * {@link #stop()}, {@link #kill9()} and {@link #restart()} (same port) stage outages; {@link #close()} kills it and
 * deletes the directory. Tests skip with a note where redis-server is missing, and fail instead where
 * {@code GRAYPIPE_REQUIRE_REDIS} is set, as in CI.
 */
public final class RedisServer implements AutoCloseable {
    public static final Path EXECUTABLE = Path.of("/usr/bin/redis-server");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final List<String> launcher;
    private final String bind;
    private final int port;
    private final List<String> config;
    private final Path dir;
    private final StringBuffer output = new StringBuffer();
    private Process process;

    private RedisServer(Builder builder, int port, Path dir) {
        this.launcher = List.copyOf(builder.launcher);
        this.bind = builder.bind;
        this.port = port;
        this.config = List.copyOf(builder.config);
        this.dir = dir;
    }

    /** A plain server on 127.0.0.1. */
    public static RedisServer start() throws IOException {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Skips the calling test where redis-server is missing, or fails it where GRAYPIPE_REQUIRE_REDIS is set. */
    public static void requireInstalled() {
        ExternalTools.require(Files.isExecutable(EXECUTABLE), "GRAYPIPE_REQUIRE_REDIS",
                EXECUTABLE + " is missing; install the redis-server package to run the Redis tests");
    }

    public static final class Builder {
        private final List<String> launcher = new ArrayList<>();
        private final List<String> config = new ArrayList<>();
        private String bind = "127.0.0.1";
        private int port;

        private Builder() {
        }

        /** Any redis.conf directive, e.g. {@code config("maxmemory", "2mb")}. */
        public Builder config(String directive, String... values) {
            config.add("--" + directive);
            config.addAll(List.of(values));
            return this;
        }

        /** The address to listen on; the server is then reachable only there. */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** A fixed port, e.g. a free one inside a network namespace; by default a free one on this host. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Words put before the command, e.g. {@code ip netns exec NAME} ({@link NetNamespaces#exec}) to start
         * the server inside a namespace. {@link #ping()} then only works from where the server is reachable.
         */
        public Builder launcher(List<String> words) {
            launcher.clear();
            launcher.addAll(words);
            return this;
        }

        public RedisServer start() throws IOException {
            requireInstalled();
            for (int attempt = 1; ; attempt++) {
                RedisServer server = new RedisServer(this, port != 0 ? port : ChildProcesses.freePort(),
                        Files.createTempDirectory("graypipe-redis"));
                try {
                    server.launch();
                    return server;
                } catch (RuntimeException | IOException e) {
                    server.close();
                    // A free port can be taken by someone else between finding it and redis binding it.
                    boolean portTaken = server.output().contains("Address already in use");
                    if (port != 0 || !portTaken || attempt == 3) {
                        throw e;
                    }
                }
            }
        }
    }

    public String host() {
        return bind;
    }

    public int port() {
        return port;
    }

    /** {@code redis://host:port}, as {@code --store} takes it. */
    public String uri() {
        return "redis://" + bind + ":" + port;
    }

    public String output() {
        return output.toString();
    }

    /** The running server's process, or empty while it is stopped. */
    public Optional<ProcessHandle> process() {
        return isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the server the way an operator would (SIGTERM) and waits for it to exit. */
    public void stop() {
        process.destroy();
        awaitExit();
    }

    /** SIGKILL, as a crash or the OOM killer would. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit();
    }

    /** Starts the server again on the same port (stopping it first if it still runs) and waits until it answers. */
    public void restart() throws IOException {
        if (isAlive()) {
            stop();
        }
        launch();
    }

    /** One command sequence on this Redis, over a connection of its own. */
    public <T> T commands(Function<RedisCommands<String, String>, T> commands) {
        try (RedisClient client = RedisClient.create(uri());
             StatefulRedisConnection<String, String> connection = client.connect()) {
            return commands.apply(connection.sync());
        }
    }

    /** Whether the server answers PING from this JVM now. */
    public boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(bind, port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return "+PONG".equals(reply);
        } catch (IOException e) {
            return false;
        }
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(EXECUTABLE.toString(), "--port", Integer.toString(port), "--bind", bind,
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no",
                // Only the test's own addresses reach it; inside a namespace it must answer non-loopback peers.
                "--protected-mode", "no", "--logfile", ""));
        command.addAll(config);
        // A restart looks for its own "Ready" line, after what the earlier runs printed.
        int outputBefore = output.length();
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Process started = process;
        ChildProcesses.keepOutput(started, output, "redis");
        if (launcher.isEmpty()) {
            Await.until(START_TIMEOUT, "redis-server answering PING on " + uri(), () -> ping() || !started.isAlive());
        } else {
            Await.until(START_TIMEOUT, "redis-server ready on " + uri(),
                    () -> output.indexOf("Ready to accept connections", outputBefore) >= 0 || !started.isAlive());
        }
        if (!started.isAlive()) {
            throw new IllegalStateException("redis-server exited at start: " + output);
        }
    }


    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not exit: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for redis-server to exit");
        }
    }


    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
            awaitExit();
        }
        Directories.deleteTree(dir);
    }
}
