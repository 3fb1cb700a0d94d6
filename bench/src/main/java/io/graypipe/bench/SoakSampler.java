package io.graypipe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One soak sample: per graypipe role (front, worker, children summed) its RSS, heap after a full GC, open file
 * descriptors and threads, from /proc and jcmd; and the files graypipe leaves around: upload temp files, data
 * directory bytes and this front's shared-memory regions in /dev/shm ({@code graypipe-<front pid>-*}; other
 * graypipes on the machine have their own). Processes are told apart by the main class on their command line, as
 * the front's tests do. A role with no live process (the worker, or every child, being restarted after a kill) is
 * NaN in that sample, not 0: an outage is not a footprint, and the slope test skips it.
 */
final class SoakSampler {
    static final String WORKER_MAIN = "io.graypipe.worker.WorkerMain";
    static final String CHILD_MAIN = "io.graypipe.worker.ChildMain";
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final ProcessHandle front;
    private final Path uploadDir;
    private final Path dataDir;

    SoakSampler(ProcessHandle front, Path uploadDir, Path dataDir) {
        this.front = front;
        this.uploadDir = uploadDir;
        this.dataDir = dataDir;
    }

    /** The series names, in report order. */
    static List<String> seriesNames() {
        return List.of("front RSS MiB", "front heap after GC MiB", "front fds", "front threads",
                "worker RSS MiB", "worker heap after GC MiB", "worker fds", "worker threads",
                "children RSS MiB", "children fds", "upload temp files", "shm files", "data dir MiB");
    }

    Map<String, Double> sample() {
        Map<String, Double> values = new LinkedHashMap<>();
        Optional<ProcessHandle> worker = descendants(WORKER_MAIN).stream().findFirst();
        List<ProcessHandle> children = descendants(CHILD_MAIN);
        // jcmd takes seconds on a busy machine: both heaps are measured at once.
        CompletableFuture<Double> workerHeap = CompletableFuture.supplyAsync(
                () -> worker.map(p -> heapAfterGcBytes(p.pid())).orElse(Double.NaN));
        role(values, "front", Optional.of(front), heapAfterGcBytes(front.pid()));
        role(values, "worker", worker, workerHeap.join());
        values.put("children RSS MiB", children.isEmpty() ? Double.NaN
                : children.stream().mapToDouble(p -> rssBytes(p.pid()) / 1048576.0).sum());
        values.put("children fds", children.isEmpty() ? Double.NaN
                : children.stream().mapToDouble(p -> fds(p.pid())).filter(v -> !Double.isNaN(v)).sum());
        values.put("upload temp files", (double) countFiles(uploadDir, ""));
        values.put("shm files", (double) countFiles(Path.of("/dev/shm"), "graypipe-" + front.pid() + "-"));
        values.put("data dir MiB", bytes(dataDir) / 1048576.0);
        return values;
    }

    /**
     * One role of the cluster soak: the summed RSS, descriptors and threads of its live processes (NaN while it has
     * none), and its pid when it is one process, so the slope test can follow one process's life.
     */
    static void cluster(Map<String, Double> values, String role, List<ProcessHandle> processes) {
        boolean none = processes.isEmpty();
        values.put(role + " RSS MiB", none ? Double.NaN
                : processes.stream().mapToDouble(p -> rssBytes(p.pid()) / 1048576.0).sum());
        values.put(role + " fds", none ? Double.NaN : processes.stream().mapToDouble(p -> fds(p.pid())).sum());
        values.put(role + " threads", none ? Double.NaN
                : processes.stream().mapToDouble(p -> statusValue(p.pid(), "Threads:")).sum());
        if (processes.size() == 1) {
            values.put(role + " pid", (double) processes.get(0).pid());
        }
    }

    /** Live descendants of the front whose command line names {@code mainClass}. */
    List<ProcessHandle> descendants(String mainClass) {
        return front.descendants().filter(p -> p.isAlive() && commandLine(p.pid()).contains(mainClass)).toList();
    }

    private static void role(Map<String, Double> values, String role, Optional<ProcessHandle> process,
                             double heapBytes) {
        long pid = process.map(ProcessHandle::pid).orElse(-1L);
        values.put(role + " RSS MiB", pid < 0 ? Double.NaN : rssBytes(pid) / 1048576.0);
        values.put(role + " heap after GC MiB", pid < 0 ? Double.NaN : heapBytes / 1048576.0);
        values.put(role + " fds", pid < 0 ? Double.NaN : fds(pid));
        values.put(role + " threads", pid < 0 ? Double.NaN : statusValue(pid, "Threads:"));
    }

    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // it exited
        }
    }

    private static double rssBytes(long pid) {
        return statusValue(pid, "VmRSS:") * 1024;
    }

    private static double statusValue(long pid, String name) {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII);
            return ProcessSampler.statusKilobytes(status, name);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Open descriptors, or NaN when the process exited (or is exiting) under the sampler. */
    private static double fds(long pid) {
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return entries.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Double.NaN;
        }
    }

    /** {@code jcmd PID GC.run}, then the used heap from {@code GC.heap_info}; NaN when jcmd cannot attach. */
    private static double heapAfterGcBytes(long pid) {
        if (jcmd(pid, "GC.run") == null) {
            return Double.NaN;
        }
        String info = jcmd(pid, "GC.heap_info");
        if (info == null) {
            return Double.NaN;
        }
        // The first "used" is the whole heap's (young + old for the parallel and serial collectors, or G1's total).
        long used = 0;
        Matcher m = HEAP_USED.matcher(info);
        List<Long> all = new ArrayList<>();
        while (m.find()) {
            all.add(Long.parseLong(m.group(1)));
        }
        boolean generational = info.contains("PSYoungGen") || info.contains("def new generation");
        if (generational) {
            // Young and old are listed separately; metaspace lines come after them.
            for (int i = 0; i < Math.min(2, all.size()); i++) {
                used += all.get(i);
            }
        } else if (!all.isEmpty()) {
            used = all.get(0);
        }
        return used * 1024.0;
    }

    private static String jcmd(long pid, String command) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long countFiles(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(prefix)) {
                    n++;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return n;
    }

    /**
     * Bytes of the regular files under {@code dir}. Files and directories deleted while the walk runs are skipped,
     * not allowed to end it: a walk that gave up read as an empty directory, a false 0 in the series.
     */
    static long bytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        total[0] += attributes.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException deletedWhileWalking) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException deletedWhileWalking) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return 0;
        }
        return total[0];
    }
}
