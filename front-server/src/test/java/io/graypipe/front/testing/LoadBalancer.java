package io.graypipe.front.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy in front of two fronts, run with the project's own {@code deploy/haproxy.cfg}, exactly as an operator
 * runs it; only the addresses are chosen through the environment variables the config reads. {@link #close()}
 * stops it. The config sends the PROXY protocol ({@code send-proxy-v2}): start the fronts behind it with
 * {@code --trusted-proxy} HAProxy's address ({@code 127.0.0.1/32} on loopback), or they close its connections. Tests skip with a note where haproxy is missing, and fail instead where
 * {@code GRAYPIPE_REQUIRE_HAPROXY} is set, as in CI.
 */
public final class LoadBalancer implements HttpTarget, AutoCloseable {
    public static final Path EXECUTABLE = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final InetSocketAddress address;
    private final InetSocketAddress stats;
    private final StringBuffer output = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoadBalancer(Process process, InetSocketAddress address, InetSocketAddress stats) {
        this.process = process;
        this.address = address;
        this.stats = stats;
    }

    public static void requireInstalled() {
        ExternalTools.require(Files.isExecutable(EXECUTABLE), "GRAYPIPE_REQUIRE_HAPROXY",
                EXECUTABLE + " is missing; install the haproxy package to run the load balancer tests");
    }

    /** {@code deploy/haproxy.cfg} of this checkout, found from the module's working directory. */
    public static Path config() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path config = dir.resolve("deploy/haproxy.cfg");
            if (Files.isRegularFile(config)) {
                return config;
            }
        }
        throw new IllegalStateException("no deploy/haproxy.cfg above " + Path.of("").toAbsolutePath());
    }

    /** The environment that points the config at these addresses; the stats page goes to a free port too. */
    public static Map<String, String> environment(InetSocketAddress bind, InetSocketAddress frontA,
                                                  InetSocketAddress frontB, InetSocketAddress stats) {
        return Map.of("GRAYPIPE_LB_BIND", hostPort(bind), "GRAYPIPE_FRONT_A", hostPort(frontA),
                "GRAYPIPE_FRONT_B", hostPort(frontB), "GRAYPIPE_LB_STATS_BIND", hostPort(stats));
    }

    /** HAProxy on a free loopback port, balancing over {@code frontA} and {@code frontB}. */
    public static LoadBalancer start(InetSocketAddress frontA, InetSocketAddress frontB) throws IOException {
        return start(List.of(), new InetSocketAddress("127.0.0.1", ChildProcesses.freePort()),
                new InetSocketAddress("127.0.0.1", ChildProcesses.freePort()), frontA, frontB);
    }

    /**
     * HAProxy inside {@code host} of {@code net}, listening on its address (port 8080, status page 8404), balancing
     * over {@code frontA} and {@code frontB}; the test JVM reaches it across the switch.
     */
    public static LoadBalancer start(NetNamespaces net, NetNamespaces.Host host, InetSocketAddress frontA,
                                     InetSocketAddress frontB) throws IOException {
        return start(net.exec(host), new InetSocketAddress(host.address(), 8080),
                new InetSocketAddress(host.address(), 8404), frontA, frontB);
    }

    private static LoadBalancer start(List<String> launcher, InetSocketAddress bind, InetSocketAddress stats,
                                      InetSocketAddress frontA, InetSocketAddress frontB) throws IOException {
        requireInstalled();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(EXECUTABLE.toString(), "-db", "-f", config().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment(bind, frontA, frontB, stats));
        LoadBalancer balancer = new LoadBalancer(builder.start(), bind, stats);
        ChildProcesses.keepOutput(balancer.process, balancer.output, "haproxy");
        try {
            Await.until(Duration.ofSeconds(15), "haproxy listening on " + hostPort(bind),
                    () -> balancer.accepts() || !balancer.process.isAlive());
            if (!balancer.process.isAlive()) {
                throw new IllegalStateException("haproxy exited at start: " + balancer.output);
            }
        } catch (RuntimeException | Error e) {
            balancer.close();
            throw e;
        }
        return balancer;
    }

    /** Runs {@code haproxy -c} on the config with {@code environment}; returns its exit code and output. */
    public static Map.Entry<Integer, String> check(Map<String, String> environment) throws IOException,
            InterruptedException {
        requireInstalled();
        ProcessBuilder builder = new ProcessBuilder(List.of(EXECUTABLE.toString(), "-c", "-f", config().toString()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process check = builder.start();
        String text = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(30, TimeUnit.SECONDS)) {
            check.destroyForcibly();
            throw new IOException("haproxy -c did not finish");
        }
        return Map.entry(check.exitValue(), text);
    }

    @Override
    public URI uri(String path) {
        return URI.create("http://" + hostPort(address)).resolve(path);
    }

    @Override
    public HttpClient http() {
        return http;
    }

    /** HAProxy's log: every health change of a front, and its own errors. */
    @Override
    public String output() {
        return output.toString();
    }

    /**
     * How many fronts HAProxy has in rotation now, from its status page. HAProxy puts a front out after failed
     * health checks, including its first ones (a front still warming up on a loaded machine may miss them), so
     * tests wait for the count they expect rather than assume it.
     */
    public int frontsUp() {
        String csv = new String(send(HttpRequest.newBuilder(URI.create("http://" + hostPort(stats) + "/;csv"))
                .timeout(Duration.ofSeconds(10)).build()).body(), StandardCharsets.UTF_8);
        // Columns: pxname, svname, ... status is the 18th.
        return (int) csv.lines().map(line -> line.split(","))
                .filter(row -> row.length > 17 && row[0].equals("graypipe_fronts") && row[1].startsWith("front-"))
                .filter(row -> row[17].startsWith("UP"))
                .count();
    }

    /** HAProxy's process, e.g. to sample its memory. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }


    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }


    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
