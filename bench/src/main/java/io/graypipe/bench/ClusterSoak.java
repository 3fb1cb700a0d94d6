package io.graypipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code soak --cluster}: the chaos soak of the whole cluster ({@link ChaosCluster}) under {@link ClusterTraffic},
 * with the faults of {@link ChaosSchedule} drawn from the seed, sampled every few seconds, then the verdict: every
 * accepted task done with a right result or failed with a code, no answer twice with different bytes, no 500,
 * each process's memory, descriptors and threads flat over its life, Redis and the data directories in budget.
 */
final class ClusterSoak {
    static final List<String> ROLES = List.of("front-a", "front-b", "worker-1", "worker-2", "children", "haproxy",
            "redis");
    static final long DATA_DIR_BUDGET_BYTES = 64L << 20;

    /** A fault as it happened: its planned shape and the seconds it really began and ended. */
    record FaultSpan(ChaosSchedule.Fault fault, double beganSeconds, double endedSeconds, String error) {
    }

    /** Everything the verdict and the report need. */
    record Result(long seed, double minutes, double warmupMinutes, int sampleSeconds, int clients,
                  List<FaultSpan> faults, List<SoakReport.Sample> samples, int accepted, List<String> unaccounted,
                  Map<String, Long> outcomes, Map<Integer, Long> statuses, Map<String, Long> operations,
                  Map<String, Long> cache, Map<String, Long> errorCodes, List<String> serverErrors,
                  long transportErrors, List<String> violations, long archivesChecked, List<long[]> answers) {
        static List<String> series() {
            List<String> names = new ArrayList<>();
            for (String role : ROLES) {
                names.addAll(List.of(role + " RSS MiB", role + " fds", role + " threads"));
            }
            names.addAll(List.of("redis used MiB", "front-a data MiB", "front-b data MiB"));
            return names;
        }

        double max(String series) {
            return samples.stream().map(s -> s.values().get(series)).filter(v -> v != null && !v.isNaN())
                    .mapToDouble(v -> v).max().orElse(0);
        }

        List<String> budgetProblems() {
            List<String> problems = new ArrayList<>();
            if (max("redis used MiB") * 1048576 > ChaosCluster.REDIS_MAXMEMORY_BYTES) {
                problems.add("Redis used " + max("redis used MiB") + " MiB, over its maxmemory");
            }
            for (String dir : List.of("front-a data MiB", "front-b data MiB")) {
                if (max(dir) * 1048576 > DATA_DIR_BUDGET_BYTES) {
                    problems.add(dir + " reached " + max(dir) + ", over " + (DATA_DIR_BUDGET_BYTES >> 20) + " MiB");
                }
            }
            return problems;
        }

        boolean passed() {
            return accepted > 0 && unaccounted.isEmpty() && statuses.getOrDefault(500, 0L) == 0
                    && violations.isEmpty() && budgetProblems().isEmpty()
                    && faults.stream().allMatch(f -> f.error() == null)
                    && SoakReport.slopes(samples, warmupMinutes, series()).stream().allMatch(v -> v.ok());
        }
    }

    private ClusterSoak() {
    }

    static Result run(SoakCommand options, long seed) throws IOException, InterruptedException {
        double warmup = options.warmupMinutes != null ? options.warmupMinutes : Math.min(5, options.minutes / 3);
        Files.createDirectories(options.out);
        Path work = Files.createTempDirectory("graypipe-chaos");
        List<String> keys = writeKeys(work.resolve("api-keys"), seed);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        // Each result is checked as soon as its task is done, so a short TTL is enough, and Redis settles early.
        try (ChaosCluster cluster = ChaosCluster.start(work, work.resolve("api-keys"), options.resultTtlSeconds, seed,
                log::add)) {
            try {
                return drive(options, seed, warmup, cluster, keys, log);
            } finally {
                for (Map.Entry<String, String> entry : cluster.logs().entrySet()) {
                    Files.writeString(options.out.resolve(entry.getKey() + ".log"), entry.getValue());
                }
                Files.write(options.out.resolve("faults.log"), log);
            }
        } finally {
            SoakCommand.deleteTree(work);
        }
    }

    /** Three keys, written to the --api-keys file as name and SHA-256; the keys themselves are returned. */
    private static List<String> writeKeys(Path file, long seed) throws IOException {
        List<String> keys = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String key = "gp_chaos_" + seed + "_" + i;
            keys.add(key);
            lines.add("soak-" + i + " " + ResultCheck.sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Files.write(file, lines);
        return keys;
    }

    private static Result drive(SoakCommand options, long seed, double warmup, ChaosCluster cluster,
                                List<String> keys, List<String> log) throws IOException, InterruptedException {
        SoakTraffic traffic = new SoakTraffic(cluster.base(), BenchImages.encode(BenchImages.render(
                ClusterTraffic.WIDTH, ClusterTraffic.HEIGHT, seed), "jpeg"),
                BenchImages.encode(BenchImages.render(200, 150, seed + 1), "png"));
        ClusterTraffic mix = new ClusterTraffic(traffic, keys);
        long start = traffic.epoch;
        int totalSeconds = (int) Math.round(options.minutes * 60);
        long end = start + totalSeconds * 1_000_000_000L;
        List<Thread> clients = SoakCommand.clients(options.clients, seed * 31, end, mix::step);
        Map<String, String> finalStates = new ConcurrentHashMap<>();
        Thread tracker = new Thread(() -> SoakCommand.track(traffic, finalStates, Long.MAX_VALUE, mix::onFinal),
                "chaos-tracker");
        List<FaultSpan> spans = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService faults = Executors.newScheduledThreadPool(8);
        for (ChaosSchedule.Fault fault : ChaosSchedule.draw(seed, totalSeconds)) {
            faults.schedule(() -> inject(cluster, fault, start, spans, log), fault.atSeconds(), TimeUnit.SECONDS);
        }
        clients.forEach(Thread::start);
        tracker.start();
        List<SoakReport.Sample> samples = new ArrayList<>();
        long nextSample = start;
        while (System.nanoTime() < end) {
            samples.add(sample(cluster, start));
            nextSample += options.sampleSeconds * 1_000_000_000L;
            TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(nextSample, end) - System.nanoTime()));
        }
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(90));
        }
        faults.shutdown();
        if (!faults.awaitTermination(4, TimeUnit.MINUTES)) {
            log.add("faults still running after the traffic ended");
        }
        tracker.interrupt();
        tracker.join();
        // Whatever is still pending gets a last two minutes to finish.
        SoakCommand.track(traffic, finalStates, System.nanoTime() + 120_000_000_000L, mix::onFinal);
        samples.add(sample(cluster, start));

        List<String> unaccounted = new ArrayList<>();
        Map<String, Long> outcomes = new TreeMap<>();
        for (String id : traffic.acceptedTasks) {
            String state = finalStates.getOrDefault(id, "unresolved");
            outcomes.merge(state, 1L, Long::sum);
            if (!state.equals("done") && !(state.startsWith("failed:") && state.length() > 7)) {
                unaccounted.add(id + "=" + state);
            }
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        traffic.statuses.forEach((k, v) -> statuses.put(k, v.get()));
        Map<String, Long> operations = new TreeMap<>();
        traffic.operations.forEach((k, v) -> operations.put(k, v.get()));
        Map<String, Long> cache = new TreeMap<>();
        mix.cache.forEach((k, v) -> cache.put(k, v.get()));
        Map<String, Long> errorCodes = new TreeMap<>();
        traffic.errorCodes.forEach((k, v) -> errorCodes.put(k, v.get()));
        return new Result(seed, (System.nanoTime() - start) / 60e9, warmup, options.sampleSeconds, options.clients,
                List.copyOf(spans), samples, traffic.acceptedTasks.size(), unaccounted, outcomes, statuses,
                operations, cache, errorCodes, List.copyOf(traffic.serverErrors), traffic.transportErrors.get(), List.copyOf(mix.check.violations),
                mix.archivesChecked.get(), List.copyOf(traffic.answers));
    }

    /** Begins a fault now, and ends it (restart, SIGCONT, cable back, disk freed) after its planned length. */
    private static void inject(ChaosCluster cluster, ChaosSchedule.Fault fault, long start, List<FaultSpan> spans,
                               List<String> log) {
        double began = (System.nanoTime() - start) / 1e9;
        String error = null;
        try {
            log.add(String.format(java.util.Locale.ROOT, "%7.1f s  begin %s", began, fault));
            cluster.begin(fault);
            TimeUnit.SECONDS.sleep(fault.seconds());
            cluster.end(fault);
        } catch (IOException | RuntimeException | AssertionError e) {
            error = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        double ended = (System.nanoTime() - start) / 1e9;
        log.add(String.format(java.util.Locale.ROOT, "%7.1f s  end   %s%s", ended, fault,
                error == null ? "" : ": " + error));
        spans.add(new FaultSpan(fault, began, ended, error));
    }

    private static SoakReport.Sample sample(ChaosCluster cluster, long start) {
        Map<String, Double> values = new LinkedHashMap<>();
        cluster.processes().forEach((role, processes) -> SoakSampler.cluster(values, role, processes));
        values.put("redis used MiB", cluster.redisUsedMemory() / 1048576.0);
        values.put("front-a data MiB", cluster.diskBytes(0) / 1048576.0);
        values.put("front-b data MiB", cluster.diskBytes(1) / 1048576.0);
        return new SoakReport.Sample((System.nanoTime() - start) / 60e9, values);
    }
}
