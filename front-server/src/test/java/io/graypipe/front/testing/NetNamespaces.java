package io.graypipe.front.testing;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several "hosts" on one machine, for multi-host tests: each host is a network namespace with one interface,
 * {@code eth0}, cabled to a switch (a bridge in a namespace of its own) on a private /24 in 10.231.0.0/16. The test
 * JVM itself is cabled to the switch too, at {@code .254}, so it reaches every host directly.
 *
 * <pre>
 * try (NetNamespaces net = NetNamespaces.create()) {
 *     NetNamespaces.Host redisHost = net.host("redis");            // 10.231.X.1
 *     NetNamespaces.Host front = net.host("front-a");              // 10.231.X.2
 *     RedisServer.builder().launcher(net.exec(redisHost)).bind(redisHost.address()).port(6379).start();
 *     net.run(front, "redis-cli", "-h", redisHost.address(), "-p", "6379", "PING");
 *     net.cut(front);       // pulls front-a's cable at the switch
 *     net.restore(front);
 * }
 * </pre>
 *
 * Everything it makes is named after this JVM's pid ({@code gpns-PID-NAME} namespaces, a {@code gpPID} interface
 * on the host), so concurrent runs do not meet, and {@link #create()} first removes what runs that died (their pid
 * is gone) left behind. {@link #close()} removes everything. Needs root and iproute2's {@code ip}; the calling test
 * is skipped with a note otherwise, or fails where {@code GRAYPIPE_REQUIRE_NETNS} is set.
 */
public final class NetNamespaces implements AutoCloseable {
    private static final String NAMESPACE_PREFIX = "gpns-";
    private static final Pattern NAMESPACE = Pattern.compile("^" + NAMESPACE_PREFIX + "(\\d+)-\\S+", Pattern.MULTILINE);
    private static final Pattern ROOT_LINK = Pattern.compile("^\\d+: gp(\\d+)[@:]", Pattern.MULTILINE);
    private static final Path IP = Path.of("/usr/sbin/ip");
    /** Set (as in .ci/run) to make these tests fail rather than skip where they cannot run. */
    public static final String REQUIRED = "GRAYPIPE_REQUIRE_NETNS";
    private static final int ROOT_HOST = 254;

    /** One namespace cabled to the switch. */
    public record Host(String name, String namespace, String address, String switchPort) {
    }

    private final String runId = Long.toString(ProcessHandle.current().pid());
    private final String switchNamespace = NAMESPACE_PREFIX + runId + "-switch";
    private final String rootLink = "gp" + runId;
    private final String subnet;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private boolean rootCabled;

    private NetNamespaces(String subnet) {
        this.subnet = subnet;
    }

    /**
     * The switch and the test JVM's cable to it; skips the calling test unless running as root with {@code ip}.
     */
    public static NetNamespaces create() throws IOException {
        requireRoot();
        removeLeftovers();
        NetNamespaces net = new NetNamespaces(freeSubnet());
        try {
            net.buildSwitch();
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * Skips the calling test with a note unless it runs as root with iproute2's {@code ip}; fails it instead where
     * {@code GRAYPIPE_REQUIRE_NETNS} is set, as in CI, so the multi-host tests cannot be skipped without a trace.
     */
    public static void requireRoot() throws IOException {
        ExternalTools.require(Files.isExecutable(IP), REQUIRED, "network namespace tests need iproute2's " + IP
                + " (apt-get install -y iproute2)");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        ExternalTools.require(uid == 0, REQUIRED, "network namespace tests run only as root (ip netns); skipped as uid "
                + uid);
    }

    private void buildSwitch() throws IOException {
        ip("netns", "add", switchNamespace);
        ip("-n", switchNamespace, "link", "add", "switch", "type", "bridge");
        ip("-n", switchNamespace, "link", "set", "switch", "up");
        ip("link", "add", rootLink, "type", "veth", "peer", "name", "root", "netns", switchNamespace);
        rootCabled = true;
        ip("-n", switchNamespace, "link", "set", "root", "master", "switch", "up");
        ip("addr", "add", subnet + "." + ROOT_HOST + "/24", "dev", rootLink);
        ip("link", "set", rootLink, "up");
    }

    /** A new host, cabled and up, with the next address of the subnet. */
    public Host host(String name) throws IOException {
        if (!name.matches("[a-z0-9-]{1,20}") || hosts.containsKey(name)) {
            throw new IllegalArgumentException("host names are short, lower case and unique: " + name);
        }
        int index = hosts.size() + 1;
        Host host = new Host(name, NAMESPACE_PREFIX + runId + "-" + name, subnet + "." + index, "port" + index);
        ip("netns", "add", host.namespace());
        hosts.put(name, host);
        ip("-n", switchNamespace, "link", "add", host.switchPort(), "type", "veth", "peer", "name", "eth0",
                "netns", host.namespace());
        ip("-n", switchNamespace, "link", "set", host.switchPort(), "master", "switch", "up");
        ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0");
        ip("-n", host.namespace(), "link", "set", "eth0", "up");
        ip("-n", host.namespace(), "link", "set", "lo", "up");
        return host;
    }

    /** The test JVM's own address on the switch. */
    public String rootAddress() {
        return subnet + "." + ROOT_HOST;
    }

    /** The words that run a command inside {@code host}: {@code ip netns exec NAMESPACE}. */
    public List<String> exec(Host host) {
        return List.of(IP.toString(), "netns", "exec", host.namespace());
    }

    /** Starts {@code command} inside {@code host}, its output merged into stdout. */
    public Process start(Host host, String... command) throws IOException {
        List<String> words = new ArrayList<>(exec(host));
        words.addAll(List.of(command));
        return new ProcessBuilder(words).redirectErrorStream(true).start();
    }

    /** Runs {@code command} inside {@code host} to its end (at most 30 s) and returns its exit code and output. */
    public Result run(Host host, String... command) throws IOException {
        return finish(start(host, command), String.join(" ", command));
    }

    /** What a command run in a host did. */
    public record Result(int exitCode, String output) {
    }

    /** Pulls {@code host}'s cable at the switch: nothing reaches it or leaves it until {@link #restore}. */
    public void cut(Host host) throws IOException {
        ip("-n", switchNamespace, "link", "set", host.switchPort(), "down");
    }

    public void restore(Host host) throws IOException {
        ip("-n", switchNamespace, "link", "set", host.switchPort(), "up");
    }

    /** Deletes every namespace and the JVM's cable; processes still running inside lose their network. */
    @Override
    public void close() throws IOException {
        List<String> failures = new ArrayList<>();
        for (Host host : hosts.values()) {
            quietly(failures, "netns", "del", host.namespace());
        }
        if (rootCabled) {
            quietly(failures, "link", "del", rootLink);
        }
        quietly(failures, "netns", "del", switchNamespace);
        if (!failures.isEmpty()) {
            throw new IOException("could not remove every namespace: " + failures);
        }
    }

    private static void quietly(List<String> failures, String... args) {
        try {
            ip(args);
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
    }

    /** Removes namespaces and interfaces of runs whose JVM is gone (killed before its close). */
    private static void removeLeftovers() throws IOException {
        Matcher namespaces = NAMESPACE.matcher(ip("netns", "list"));
        while (namespaces.find()) {
            if (isDead(namespaces.group(1))) {
                ip("netns", "del", namespaces.group().trim());
            }
        }
        Matcher links = ROOT_LINK.matcher(ip("-o", "link", "show"));
        while (links.find()) {
            if (isDead(links.group(1))) {
                ip("link", "del", "gp" + links.group(1));
            }
        }
    }

    private static boolean isDead(String pid) {
        return ProcessHandle.of(Long.parseLong(pid)).map(process -> !process.isAlive()).orElse(true);
    }

    /** A /24 of 10.231.0.0/16 no route on this machine uses yet, starting from one the pid picks. */
    private static String freeSubnet() throws IOException {
        String routes = ip("-4", "route", "show");
        int start = (int) (ProcessHandle.current().pid() % 250) + 1;
        for (int i = 0; i < 250; i++) {
            String candidate = "10.231." + ((start + i) % 250 + 1);
            if (!routes.contains(candidate + ".")) {
                return candidate;
            }
        }
        throw new IOException("every /24 of 10.231.0.0/16 is in use: " + routes);
    }

    private static String ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(IP.toString()));
        command.addAll(List.of(args));
        Result result = finish(new ProcessBuilder(command).redirectErrorStream(true).start(), String.join(" ", command));
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.exitCode() + "): " + result.output());
        }
        return result.output();
    }

    private static Result finish(Process process, String what) throws IOException {
        // Read on another thread, so a command that never ends cannot hold this one past the timeout.
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not finish in 30 s");
            }
            return new Result(process.exitValue(), new String(output.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the output of " + what, e);
        }
    }
}
