package io.graypipe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples a process tree (a root PID and all its descendants) from /proc: CPU time (utime+stime) between
 * {@link #markStart()} and {@link #markEnd()}, and resident memory sampled every period. Children that a pool
 * restarts come and go, so every PID ever seen is kept with its last reading.
 */
public final class ProcessSampler implements AutoCloseable {
    /** What was learned about one process. Sizes in bytes, CPU in seconds. */
    public record ProcessStats(long pid, int depth, String command, double cpuSeconds, long peakRssBytes,
                               long hwmBytes, boolean aliveAtEnd) {
    }

    /** The whole tree over the measured window. */
    public record TreeStats(double cpuSeconds, long peakTotalRssBytes, long sumOfHwmBytes, int samples,
                            List<ProcessStats> processes) {
    }

    private static final class Tracked {
        final long pid;
        final int depth;
        final String command;
        /** CPU ticks when the window opened; 0 for a process born inside the window. */
        long ticksAtStart;
        long lastTicks;
        long peakRssBytes;
        long hwmBytes;
        boolean alive = true;

        Tracked(long pid, int depth, String command) {
            this.pid = pid;
            this.depth = depth;
            this.command = command;
        }
    }

    private final long rootPid;
    private final long ticksPerSecond;
    private final Map<Long, Tracked> tracked = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private long peakTotalRssBytes;
    private int samples;
    private boolean started;
    private boolean ended;
    private Double windowCpuSeconds;

    public ProcessSampler(long rootPid, long periodMillis) {
        this.rootPid = rootPid;
        this.ticksPerSecond = clockTicksPerSecond();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "process-sampler");
            thread.setDaemon(true);
            return thread;
        });
        sample();
        timer.scheduleAtFixedRate(this::sample, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Opens the measured window: CPU is counted from here, and memory peaks restart from the current readings. */
    public synchronized void markStart() {
        sample();
        for (Tracked process : tracked.values()) {
            process.ticksAtStart = process.lastTicks;
            process.peakRssBytes = 0;
        }
        peakTotalRssBytes = 0;
        started = true;
        sample();
    }

    /** Closes the measured window for CPU; memory keeps being sampled until {@link #close()}. */
    public synchronized void markEnd() {
        sample();
        long ticks = 0;
        for (Tracked process : tracked.values()) {
            ticks += process.lastTicks - process.ticksAtStart;
        }
        windowCpuSeconds = (double) ticks / ticksPerSecond;
        ended = true;
    }

    public synchronized TreeStats stats() {
        sample();
        List<ProcessStats> processes = new ArrayList<>();
        for (Tracked p : tracked.values()) {
            processes.add(new ProcessStats(p.pid, p.depth, p.command,
                    (double) (p.lastTicks - p.ticksAtStart) / ticksPerSecond, p.peakRssBytes, p.hwmBytes, p.alive));
        }
        double cpu = windowCpuSeconds != null ? windowCpuSeconds : 0;
        return new TreeStats(cpu, peakTotalRssBytes, processes.stream().mapToLong(ProcessStats::hwmBytes).sum(),
                samples, processes);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private synchronized void sample() {
        Optional<ProcessHandle> root = ProcessHandle.of(rootPid);
        for (Tracked process : tracked.values()) {
            process.alive = false;
        }
        if (root.isEmpty()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root.get());
        root.get().descendants().forEach(tree::add);
        long totalRss = 0;
        for (ProcessHandle handle : tree) {
            long pid = handle.pid();
            Optional<long[]> reading = read(pid);
            if (reading.isEmpty()) {
                continue; // exited between listing and reading
            }
            long[] values = reading.get();
            Tracked process = tracked.get(pid);
            if (process == null) {
                process = new Tracked(pid, depth(handle), describe(handle));
                // A process first seen after the window opened was born inside it: all of its CPU counts.
                process.ticksAtStart = started ? 0 : values[0];
                tracked.put(pid, process);
            }
            if (!ended) {
                process.lastTicks = values[0];
            }
            process.alive = true;
            process.peakRssBytes = Math.max(process.peakRssBytes, values[1]);
            process.hwmBytes = Math.max(process.hwmBytes, values[2]);
            totalRss += values[1];
        }
        peakTotalRssBytes = Math.max(peakTotalRssBytes, totalRss);
        samples++;
    }

    private int depth(ProcessHandle handle) {
        int depth = 0;
        Optional<ProcessHandle> current = Optional.of(handle);
        while (current.isPresent() && current.get().pid() != rootPid && depth < 64) {
            current = current.get().parent();
            depth++;
        }
        return depth;
    }

    /** A short name for a process: its main class or jar, which is what tells front, worker and child apart. */
    static String describe(ProcessHandle handle) {
        String[] arguments = handle.info().arguments().orElse(new String[0]);
        String command = handle.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i].equals("-jar") && i + 1 < arguments.length) {
                return command + " -jar " + Path.of(arguments[i + 1]).getFileName();
            }
        }
        for (int i = 0; i < arguments.length; i++) {
            String argument = arguments[i];
            boolean optionValue = i > 0 && (arguments[i - 1].equals("-cp") || arguments[i - 1].equals("-classpath")
                    || arguments[i - 1].equals("--class-path"));
            if (!argument.startsWith("-") && !optionValue) {
                StringBuilder described = new StringBuilder(command).append(' ').append(argument);
                // The first few program arguments say the role (e.g. a child flag) without flooding the report.
                for (int j = i + 1; j < Math.min(arguments.length, i + 3); j++) {
                    described.append(' ').append(arguments[j]);
                }
                return described.toString();
            }
        }
        return command;
    }

    /** {ticks, VmRSS bytes, VmHWM bytes}, or empty when the process is gone. */
    private static Optional<long[]> read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.US_ASCII);
            return Optional.of(new long[]{cpuTicks(stat), statusKilobytes(status, "VmRSS:") * 1024,
                    statusKilobytes(status, "VmHWM:") * 1024});
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** utime + stime from /proc/PID/stat. The command name may hold spaces and parentheses, so fields are counted
     *  from the last ')'; after it come state (field 3) ... utime (field 14) and stime (field 15). */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** A "Name:   123 kB" line of /proc/PID/status; 0 when absent (kernel threads, zombies). */
    static long statusKilobytes(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return 0;
    }

    /** USER_HZ, which /proc reports CPU times in. It is 100 on every mainstream Linux, but ask to be sure. */
    private static long clockTicksPerSecond() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (process.waitFor() == 0) {
                return Long.parseLong(output);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /** CPU seconds this JVM (the load client) has used so far, from /proc/self/stat. */
    static double ownCpuSeconds() {
        try {
            return (double) cpuTicks(Files.readString(Path.of("/proc/self/stat"))) / CLIENT_TICKS;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static final long CLIENT_TICKS = clockTicksPerSecond();
}
