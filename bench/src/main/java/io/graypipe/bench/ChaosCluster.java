package io.graypipe.bench;

import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.NetNamespaces;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.Signals;
import io.graypipe.front.testing.WorkerProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The whole cluster of docs/scale-out.md on six hosts in network namespaces, started with the front's own test
 * launchers: {@code hub} runs Redis (append-only file, fsync every second, noeviction) and HAProxy with
 * deploy/haproxy.cfg; {@code front-a} and {@code front-b} a front each ({@code --store} on the hub's Redis,
 * {@code --api-keys}, both workers); {@code worker-1} and {@code worker-2} a scale-worker with two children each.
 * front-a reaches worker-1 through a {@link LossyLink} in this JVM, the cable the slow-link fault degrades, and
 * front-a's data and upload directories are on a small tmpfs, the disk the full-disk fault fills.
 *
 * <p>{@link #begin} and {@link #end} apply and undo one {@link ChaosSchedule.Fault}; the end of a kill is the restart
 * an operator's supervisor would do, tried again every few seconds while it cannot succeed (a front cannot start
 * while Redis is away). Needs root; {@link NetNamespaces#create()} says so otherwise.
 */
final class ChaosCluster implements AutoCloseable {
    static final int FRONT_PORT = 8080;
    static final int WORKER_PORT = 9090;
    static final long SMALL_DISK_BYTES = 64L << 20;
    static final long REDIS_MAXMEMORY_BYTES = 256L << 20;
    static final long CACHE_BYTES = 8L << 20;
    /** Uploads past this go to a file in the upload directory: the PNG pictures do, so a full disk is felt. */
    static final long UPLOAD_MEMORY_BYTES = 64L << 10;
    private static final Duration RESTART_PATIENCE = Duration.ofMinutes(3);

    private final NetNamespaces net;
    private final Path work;
    private final Path token;
    private final Path apiKeys;
    private final int resultTtlSeconds;
    private final Consumer<String> log;
    private final Map<String, NetNamespaces.Host> hosts = new LinkedHashMap<>();
    private final Path[] dataDirs = new Path[2];
    private final Path[] uploadDirs = new Path[2];
    private final FrontProcess[] fronts = new FrontProcess[2];
    private final WorkerProcess[] workers = new WorkerProcess[2];
    /** The tmpfs that holds front-a's data directory, and the fault's ballast beside it. */
    private Path smallDisk;
    private RedisServer redis;
    private LossyLink link;
    private LoadBalancer balancer;
    private volatile boolean closing;

    private ChaosCluster(NetNamespaces net, Path work, Path apiKeys, int resultTtlSeconds, Consumer<String> log) {
        this.net = net;
        this.work = work;
        this.token = work.resolve("worker.token");
        this.apiKeys = apiKeys;
        this.resultTtlSeconds = resultTtlSeconds;
        this.log = log;
    }

    /** Starts every process and returns once HAProxy has both fronts in rotation. */
    static ChaosCluster start(Path work, Path apiKeys, int resultTtlSeconds, long seed, Consumer<String> log)
            throws IOException {
        ChaosCluster cluster = new ChaosCluster(NetNamespaces.create(), work, apiKeys, resultTtlSeconds, log);
        try {
            cluster.build(seed);
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void build(long seed) throws IOException {
        RedisServer.requireInstalled();
        LoadBalancer.requireInstalled();
        for (String name : List.of("hub", "front-a", "front-b", "worker-1", "worker-2")) {
            hosts.put(name, net.host(name));
        }
        Files.writeString(token, "chaos-soak-" + seed + "\n");
        NetNamespaces.Host hub = hosts.get("hub");
        redis = RedisServer.builder().launcher(net.exec(hub)).bind(hub.address()).port(6379)
                .config("appendonly", "yes").config("appendfsync", "everysec")
                .config("maxmemory", Long.toString(REDIS_MAXMEMORY_BYTES)).config("maxmemory-policy", "noeviction")
                .start();
        for (int i = 0; i < 2; i++) {
            workers[i] = startWorker(i);
        }
        link = LossyLink.start(net.rootAddress(), workers[0].address(), seed);
        smallDisk = Files.createDirectories(work.resolve("disk-a"));
        run("mount", "-t", "tmpfs", "-o", "size=" + SMALL_DISK_BYTES, "graypipe-soak", smallDisk.toString());
        dataDirs[0] = Files.createDirectories(smallDisk.resolve("data"));
        dataDirs[1] = Files.createDirectories(work.resolve("data-b"));
        uploadDirs[0] = Files.createDirectories(smallDisk.resolve("uploads"));
        uploadDirs[1] = Files.createDirectories(work.resolve("uploads-b"));
        for (int i = 0; i < 2; i++) {
            fronts[i] = startFront(i);
        }
        balancer = LoadBalancer.start(net, hub, frontAddress(0), frontAddress(1));
        long deadline = System.nanoTime() + RESTART_PATIENCE.toNanos();
        while (balancer.frontsUp() < 2) {
            if (System.nanoTime() > deadline) {
                throw new IOException("HAProxy did not take both fronts in: " + balancer.output());
            }
            pause(500);
        }
    }

    private WorkerProcess startWorker(int i) throws IOException {
        return WorkerProcess.start(net, hosts.get("worker-" + (i + 1)), WORKER_PORT, token, List.of("-n", "2"));
    }

    private FrontProcess startFront(int i) throws IOException {
        String worker1 = i == 0 ? link.address() : hostPort("worker-1", WORKER_PORT);
        return FrontProcess.builder().launcher(net.exec(hosts.get(frontName(i))))
                .listenOn(hosts.get(frontName(i)).address(), 1).port(FRONT_PORT).dataDir(dataDirs[i])
                .args("--worker", worker1, "--worker", hostPort("worker-2", WORKER_PORT),
                        "--worker-token-file", token.toString(), "--store", redis.uri(),
                        "--api-keys", apiKeys.toString(), "--result-ttl", resultTtlSeconds + "s",
                        "--cache-size", Long.toString(CACHE_BYTES), "--upload-dir", uploadDirs[i].toString(),
                        "--upload-memory-threshold", Long.toString(UPLOAD_MEMORY_BYTES),
                        // deploy/haproxy.cfg names each client in a PROXY header, read only from a trusted proxy.
                        "--trusted-proxy", hosts.get("hub").address() + "/32")
                .start();
    }

    private static String frontName(int i) {
        return i == 0 ? "front-a" : "front-b";
    }

    private InetSocketAddress frontAddress(int i) {
        return new InetSocketAddress(hosts.get(frontName(i)).address(), FRONT_PORT);
    }

    private String hostPort(String host, int port) {
        return hosts.get(host).address() + ":" + port;
    }

    /** Where clients send requests: HAProxy. */
    URI base() {
        return balancer.uri("/");
    }

    /** Applies a fault. */
    void begin(ChaosSchedule.Fault fault) throws IOException, InterruptedException {
        int index = fault.target().endsWith("b") || fault.target().endsWith("2") ? 1 : 0;
        switch (fault.kind()) {
            case KILL_FRONT -> fronts[index].kill9();
            case KILL_WORKER -> {
                workers[index].process().destroyForcibly();
                workers[index].awaitExit(Duration.ofSeconds(10));
            }
            case KILL_CHILD -> workers[index].children().stream().findFirst().ifPresent(ProcessHandle::destroyForcibly);
            case STOP_WORKER -> Signals.send("STOP", workers[index].process().toHandle());
            case RESTART_REDIS -> redis.stop();
            case CUT_LINK -> net.cut(hosts.get(fault.target()));
            case SLOW_LINK -> link.degrade(true);
            case FULL_DISK -> fillDisk();
        }
    }

    /** Undoes a fault: restarts what was killed, wakes what was frozen, puts the cable back, frees the disk. */
    void end(ChaosSchedule.Fault fault) throws IOException, InterruptedException {
        int index = fault.target().endsWith("b") || fault.target().endsWith("2") ? 1 : 0;
        switch (fault.kind()) {
            case KILL_FRONT -> supervise(fault.target(), () -> {
                fronts[index].close();
                fronts[index] = startFront(index);
            });
            case KILL_WORKER -> supervise(fault.target(), () -> {
                workers[index].close();
                workers[index] = startWorker(index);
            });
            case KILL_CHILD -> {
                // The worker replaces its child itself: nothing for the operator to do.
            }
            case STOP_WORKER -> Signals.send("CONT", workers[index].process().toHandle());
            case RESTART_REDIS -> supervise("Redis", redis::restart);
            case CUT_LINK -> net.restore(hosts.get(fault.target()));
            case SLOW_LINK -> link.degrade(false);
            case FULL_DISK -> Files.deleteIfExists(smallDisk.resolve("ballast"));
        }
    }

    private interface Restart {
        void run() throws IOException;
    }

    /** Tries a restart every 3 s until it succeeds, as a supervisor would, for at most a few minutes. */
    private void supervise(String what, Restart restart) throws IOException {
        long deadline = System.nanoTime() + RESTART_PATIENCE.toNanos();
        for (int attempt = 1; !closing; attempt++) {
            try {
                restart.run();
                if (attempt > 1) {
                    log.accept(what + " restarted at attempt " + attempt);
                }
                return;
            } catch (IOException | RuntimeException | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(what + " could not be restarted in " + RESTART_PATIENCE, e);
                }
                log.accept(what + " restart attempt " + attempt + " failed: " + e.getMessage());
                pause(3000);
            }
        }
    }

    /** Fills front-a's small disk to the last byte; the fault's end deletes the ballast. */
    private void fillDisk() throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(smallDisk.resolve("ballast"))) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // No space left on device: that is the fault.
        }
    }

    /** Every process of the cluster by role, for the sampler; a role being restarted has none. */
    Map<String, List<ProcessHandle>> processes() {
        Map<String, List<ProcessHandle>> roles = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            roles.put(frontName(i), live(List.of(fronts[i].process().toHandle())));
        }
        List<ProcessHandle> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            roles.put("worker-" + (i + 1), live(List.of(workers[i].process().toHandle())));
            children.addAll(workers[i].children());
        }
        roles.put("children", children);
        roles.put("haproxy", live(List.of(balancer.process())));
        roles.put("redis", redis.process().map(p -> live(List.of(p))).orElse(List.of()));
        return roles;
    }

    private static List<ProcessHandle> live(List<ProcessHandle> handles) {
        return handles.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** Redis's used_memory in bytes, or NaN while it is down or cut off. */
    double redisUsedMemory() {
        try {
            String info = redis.commands(commands -> commands.info("memory"));
            return info.lines().filter(line -> line.startsWith("used_memory:"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(12).strip())).findFirst().orElse(Double.NaN);
        } catch (RuntimeException unavailable) {
            return Double.NaN;
        }
    }

    /** The bytes a front keeps on disk: its data directory and its upload files. */
    long diskBytes(int i) {
        return SoakSampler.bytes(dataDirs[i]) + SoakSampler.bytes(uploadDirs[i]);
    }

    /** Each front's log, for the report's directory. */
    Map<String, String> logs() {
        Map<String, String> logs = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            logs.put(frontName(i), fronts[i] == null ? "" : fronts[i].output());
            logs.put("worker-" + (i + 1), workers[i] == null ? "" : workers[i].output());
        }
        logs.put("haproxy", balancer == null ? "" : balancer.output());
        logs.put("redis", redis == null ? "" : redis.output());
        return logs;
    }

    @Override
    public void close() throws IOException {
        closing = true;
        for (WorkerProcess worker : workers) {
            try {
                if (worker != null && worker.process().isAlive()) {
                    Signals.send("CONT", worker.process().toHandle());
                }
            } catch (IOException | InterruptedException | AssertionError e) {
                log.accept("waking " + worker.process().pid() + " before closing: " + e);
            }
        }
        List<AutoCloseable> all = new ArrayList<>(List.of(fronts));
        all.addAll(List.of(workers));
        all.add(balancer);
        all.add(redis);
        all.add(link);
        for (AutoCloseable closeable : all) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                log.accept("closing " + closeable + ": " + e);
            }
        }
        if (smallDisk != null) {
            run("umount", "-l", smallDisk.toString());
        }
        net.close();
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis); // a supervisor's retry period, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
