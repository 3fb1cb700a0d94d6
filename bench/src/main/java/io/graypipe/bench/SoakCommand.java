package io.graypipe.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code soak}: one graypipe front (which starts its worker and children) under mixed traffic for a while, with
 * {@code kill -9} of a child every minute and of the worker every five, sampled every 10 s. Writes soak.md and
 * soak.png to the output directory and exits 0 when the verdict passes: every accepted task accounted for, no 500,
 * no series growing after the warm-up (the slope test in {@link SoakReport}).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Soak test of one graypipe with mixed traffic and kill -9 faults; writes soak.md and soak.png.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--front-jar", description = "The front's jar (default: ${DEFAULT-VALUE}).")
    Path frontJar = Path.of("front-server/target/graypipe.jar");

    @Option(names = "--minutes", description = "How long traffic runs (default: ${DEFAULT-VALUE}).")
    double minutes = 30;

    @Option(names = "--warmup-minutes", description = "Samples before this are not slope-tested "
            + "(default: a third of the run, at most 5).")
    Double warmupMinutes;

    @Option(names = "--clients", description = "Concurrent traffic clients (default: ${DEFAULT-VALUE}).")
    int clients = 4;

    @Option(names = "--sample-seconds", description = "Sampling period (default: ${DEFAULT-VALUE}).")
    int sampleSeconds = 10;

    @Option(names = "--child-kill-seconds", description = "kill -9 of a child this often (default: ${DEFAULT-VALUE}).")
    int childKillSeconds = 60;

    @Option(names = "--worker-kill-seconds", description = "kill -9 of the worker this often "
            + "(default: ${DEFAULT-VALUE}).")
    int workerKillSeconds = 300;

    @Option(names = "--result-ttl-seconds", description = "The front's --result-ttl: finished tasks and their "
            + "files are reclaimed after this, so the data directory reaches a steady state within the run "
            + "(default: ${DEFAULT-VALUE}).")
    int resultTtlSeconds = 60;

    @Option(names = "--cluster", description = "The chaos soak of the whole cluster instead: HAProxy, two fronts "
            + "on Redis (AOF), two workers, in network namespaces (needs root), with overlapping faults drawn from "
            + "--seed (docs/durability.md, \"Chaos soak\").")
    boolean cluster;

    @Option(names = "--seed", description = "With --cluster: the seed of the fault schedule and the traffic "
            + "(default: the time).")
    Long seed;

    @Option(names = "--out", description = "Directory for soak.md, soak.png and the front's log "
            + "(default: ${DEFAULT-VALUE}).")
    Path out = Path.of("soak-results");

    /** Everything the verdict and the report need. */
    record Result(double minutes, double warmupMinutes, int sampleSeconds, int childKillSeconds, int childKills,
                  int workerKillSeconds, int workerKills, List<SoakReport.Sample> samples, int accepted,
                  int accounted, List<String> unaccounted, Map<String, Long> outcomes, Map<Integer, Long> statuses,
                  Map<String, Long> operations, long transportErrors) {
        boolean passed() {
            return unaccounted.isEmpty() && statuses.getOrDefault(500, 0L) == 0
                    && SoakReport.slopeOk(this).values().stream().allMatch(ok -> ok);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (cluster) {
            ClusterSoak.Result result = ClusterSoak.run(this, seed != null ? seed : System.currentTimeMillis());
            ClusterReport.write(out, result);
            System.out.println("cluster soak " + (result.passed() ? "PASS" : "FAIL") + " (seed " + result.seed()
                    + "): report in " + out.resolve("soak.md"));
            if (!result.passed()) {
                ClusterReport.reasons(result).forEach(reason -> System.out.println("  " + reason));
            }
            return result.passed() ? 0 : 1;
        }
        Result result = run();
        SoakReport.write(out, result);
        System.out.println("soak " + (result.passed() ? "PASS" : "FAIL") + ": report in " + out.resolve("soak.md"));
        return result.passed() ? 0 : 1;
    }

    Result run() throws IOException, InterruptedException {
        double warmup = warmupMinutes != null ? warmupMinutes : Math.min(5, minutes / 3);
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("graypipe-soak");
        Path uploads = Files.createDirectories(work.resolve("uploads"));
        Path data = Files.createDirectories(work.resolve("data"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        // The whole heap is committed and touched at start, so RSS does not creep up while the heap grows.
        Process front = new ProcessBuilder("java", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
                "-XX:+UseParallelGC", "-jar",
                frontJar.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port), "-n", "2",
                "--data-dir", data.toString(), "--upload-dir", uploads.toString(), "--result-ttl", Integer.toString(resultTtlSeconds))
                .redirectErrorStream(true).redirectOutput(out.resolve("front.log").toFile()).start();
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        try {
            awaitReady(base);
            return drive(front, base, uploads, data, warmup);
        } finally {
            List<ProcessHandle> tree = front.descendants().toList();
            front.destroy();
            if (!front.waitFor(20, TimeUnit.SECONDS)) {
                front.destroyForcibly();
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle handle : tree) {
                handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> handle).join();
            }
            deleteTree(work);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private Result drive(Process front, URI base, Path uploads, Path data, double warmup)
            throws IOException, InterruptedException {
        BufferedImage picture = BenchImages.render(640, 480, BenchImages.DEFAULT_SEED);
        SoakTraffic traffic = new SoakTraffic(base, BenchImages.encode(picture, "jpeg"),
                BenchImages.encode(BenchImages.render(200, 150, 7), "png"));
        SoakSampler sampler = new SoakSampler(front.toHandle(), uploads, data);
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        List<Thread> threads = clients(clients, 0, end, traffic::step);
        Map<String, String> finalStates = new ConcurrentHashMap<>();
        Thread tracker = new Thread(() -> track(traffic, finalStates, Long.MAX_VALUE, (id, state) -> { }),
                "soak-tracker");
        threads.forEach(Thread::start);
        tracker.start();
        List<SoakReport.Sample> samples = new ArrayList<>();
        int childKills = 0;
        int workerKills = 0;
        long nextChildKill = start + childKillSeconds * 1_000_000_000L;
        long nextWorkerKill = start + workerKillSeconds * 1_000_000_000L;
        long nextSample = start;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextSample) {
                samples.add(new SoakReport.Sample((now - start) / 60e9, sampler.sample()));
                nextSample += sampleSeconds * 1_000_000_000L;
            }
            if (now >= nextWorkerKill) {
                workerKills += kill(sampler.descendants(SoakSampler.WORKER_MAIN));
                nextWorkerKill += workerKillSeconds * 1_000_000_000L;
                nextChildKill = Math.max(nextChildKill, now + 5_000_000_000L);
            } else if (now >= nextChildKill) {
                childKills += kill(sampler.descendants(SoakSampler.CHILD_MAIN));
                nextChildKill += childKillSeconds * 1_000_000_000L;
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(nextSample, Math.min(nextChildKill, end))
                    - System.nanoTime()));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(90));
        }
        tracker.interrupt();
        tracker.join();
        // Whatever is still pending gets a last 90 s to finish.
        track(traffic, finalStates, System.nanoTime() + 90_000_000_000L, (id, state) -> { });
        samples.add(new SoakReport.Sample((System.nanoTime() - start) / 60e9, sampler.sample()));
        List<String> unaccounted = new ArrayList<>();
        Map<String, Long> outcomes = new TreeMap<>();
        for (String id : traffic.acceptedTasks) {
            String state = finalStates.getOrDefault(id, "unresolved");
            outcomes.merge(state, 1L, Long::sum);
            boolean accounted = state.equals("done") || (state.startsWith("failed:") && state.length() > 7);
            if (!accounted) {
                unaccounted.add(id + "=" + state);
            }
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        traffic.statuses.forEach((k, v) -> statuses.put(k, v.get()));
        Map<String, Long> operations = new TreeMap<>();
        traffic.operations.forEach((k, v) -> operations.put(k, v.get()));
        return new Result((System.nanoTime() - start) / 60e9, warmup, sampleSeconds, childKillSeconds, childKills,
                workerKillSeconds, workerKills, samples, traffic.acceptedTasks.size(),
                traffic.acceptedTasks.size() - unaccounted.size(), unaccounted, outcomes, statuses, operations,
                traffic.transportErrors.get());
    }

    /** One step of a client's traffic. */
    interface Step {
        void step(Random random) throws InterruptedException;
    }

    /** {@code count} client threads, not started, each stepping with its own Random (seed + i) until {@code end}. */
    static List<Thread> clients(int count, long seed, long end, Step step) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Random random = new Random(seed + i);
            threads.add(new Thread(() -> {
                while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                    try {
                        step.step(random);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "soak-client-" + i));
        }
        return threads;
    }

    /**
     * Polls accepted tasks that have no final state yet, every 2 s, until none is left or the deadline passes;
     * {@code onFinal} hears each task once, when its final state is first seen.
     */
    static void track(SoakTraffic traffic, Map<String, String> finalStates, long deadline,
                      java.util.function.BiConsumer<String, String> onFinal) {
        while (System.nanoTime() < deadline) {
            boolean pending = false;
            for (String id : traffic.acceptedTasks) {
                if (finalStates.containsKey(id)) {
                    continue;
                }
                try {
                    String state = traffic.taskState(id);
                    // Only a 404 says a task is gone; a 503 (storage away, front restarting) is asked again.
                    if (state.equals("done") || state.startsWith("failed") || state.equals("cancelled")
                            || state.equals("missing:404")) {
                        finalStates.put(id, state);
                        onFinal.accept(id, state);
                    } else {
                        pending = true;
                    }
                } catch (IOException e) {
                    pending = true;
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!pending && deadline != Long.MAX_VALUE) {
                return;
            }
            try {
                Thread.sleep(2000); // polling period of the task ledger, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static int kill(List<ProcessHandle> candidates) {
        if (candidates.isEmpty()) {
            return 0;
        }
        return candidates.get(0).destroyForcibly() ? 1 : 0; // SIGKILL on Linux
    }

    private static void awaitReady(URI base) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve("/readyz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("the front at " + base + " was not ready within 120 s");
    }
}
