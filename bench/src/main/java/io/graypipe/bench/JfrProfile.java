package io.graypipe.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one tier's Flight Recorder files say: where its CPU samples fall, method by method, and what it allocates.
 *
 * <p>Two views of the same samples. {@code self} counts the method on top of the stack (where the CPU actually
 * is: a JDK or Netty method, or a native kernel). {@code graypipe} counts the innermost {@code io.graypipe} frame,
 * so a copy inside {@code System.arraycopy} is charged to the graypipe method that asked for it. Java threads
 * running native code are sampled by {@code jdk.NativeMethodSample}, which also catches threads blocked in a read;
 * only native samples under JNA (the TurboJPEG, libwebp and libavif kernels) are counted as CPU. Samples pick a few
 * threads per period, so the thread table ({@code jdk.ThreadCPULoad}, measured by the OS) is the one to trust for
 * where native time goes; the method tables say what the Java code on those threads does.
 *
 * <p>Samples, allocation and thread CPU are counted only inside a {@link Window}, the load client's steady window:
 * a recording starts with the JVM, so without it the tables would mostly show start-up and the JIT compiling.
 */
final class JfrProfile {
    /** The tier a recording belongs to, from the JVM's main class. */
    enum Tier {
        FRONT, WORKER, CHILD, OTHER;

        static Tier of(String javaCommand) {
            if (javaCommand.contains("ChildMain")) {
                return CHILD;
            }
            if (javaCommand.contains("WorkerMain")) {
                return WORKER;
            }
            if (javaCommand.contains("graypipe.jar") || javaCommand.contains("FrontMain")) {
                return FRONT;
            }
            return OTHER;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The time span whose events count; {@link #ALL} counts the whole recording. */
    record Window(Instant from, Instant to) {
        static final Window ALL = new Window(Instant.MIN, Instant.MAX);

        /** The steady window of a load run, or the whole recording for a run that did not record it. */
        static Window of(LoadResult scenario) {
            return scenario.windowStartEpochMillis() == null || scenario.windowEndEpochMillis() == null ? ALL
                    : new Window(Instant.ofEpochMilli(scenario.windowStartEpochMillis()),
                    Instant.ofEpochMilli(scenario.windowEndEpochMillis()));
        }

        boolean contains(Instant time) {
            return !time.isBefore(from) && !time.isAfter(to);
        }
    }

    /** One method and how many samples (or allocated bytes) were charged to it. */
    record Share(String method, long weight) {
    }

    private final Window window;
    private Tier tier = Tier.OTHER;
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> graypipe = new HashMap<>();
    private final Map<String, Long> allocatedBy = new HashMap<>();
    private final Map<String, Double> threadLoad = new HashMap<>();
    private long samples;
    private long allocatedBytes;
    private int recordings;

    private JfrProfile(Window window) {
        this.window = window;
    }

    /** Reads the events of one recording inside {@code window}; its tier comes from the JVM's {@code sun.java.command}. */
    static JfrProfile read(Path recording, Window window) throws IOException {
        JfrProfile profile = new JfrProfile(window);
        profile.recordings = 1;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                profile.add(file.readEvent());
            }
        }
        return profile;
    }

    /** Adds another recording of the same tier (a tier with several child JVMs has one recording each). */
    void merge(JfrProfile other) {
        other.self.forEach((method, weight) -> self.merge(method, weight, Long::sum));
        other.graypipe.forEach((method, weight) -> graypipe.merge(method, weight, Long::sum));
        other.allocatedBy.forEach((method, weight) -> allocatedBy.merge(method, weight, Long::sum));
        other.threadLoad.forEach((group, load) -> threadLoad.merge(group, load, Double::sum));
        samples += other.samples;
        allocatedBytes += other.allocatedBytes;
        recordings += other.recordings;
    }

    private void add(RecordedEvent event) {
        String type = event.getEventType().getName();
        if (!type.equals("jdk.InitialSystemProperty") && !window.contains(event.getStartTime())) {
            return;
        }
        switch (type) {
            case "jdk.ExecutionSample" -> sample(event.getStackTrace());
            case "jdk.NativeMethodSample" -> {
                if (underJna(event.getStackTrace())) {
                    sample(event.getStackTrace());
                }
            }
            case "jdk.ObjectAllocationSample" -> allocation(event.getStackTrace(), event.getLong("weight"));
            case "jdk.ThreadCPULoad" -> {
                if (event.getThread() != null) {
                    threadLoad.merge(threadGroup(event.getThread().getJavaName()),
                            (double) event.getFloat("user") + event.getFloat("system"), Double::sum);
                }
            }
            case "jdk.InitialSystemProperty" -> {
                if ("sun.java.command".equals(event.getString("key"))) {
                    tier = Tier.of(event.getString("value"));
                }
            }
            default -> {
            }
        }
    }

    Tier tier() {
        return tier;
    }

    int recordings() {
        return recordings;
    }

    long samples() {
        return samples;
    }

    long allocatedBytes() {
        return allocatedBytes;
    }

    /**
     * Each thread group's share of the tier's thread CPU, from {@code jdk.ThreadCPULoad} (measured per thread by
     * the OS, so it covers native code too, unlike the samples), largest first.
     */
    List<Map.Entry<String, Double>> threadShares() {
        double total = threadLoad.values().stream().mapToDouble(Double::doubleValue).sum();
        return threadLoad.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), total == 0 ? 0 : entry.getValue() / total))
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .collect(Collectors.toList());
    }

    /** Threads of one pool share a name but for a trailing number: graypipe-gray-3 is counted as graypipe-gray-*. */
    static String threadGroup(String threadName) {
        return threadName == null ? "(unnamed)" : threadName.replaceAll("(-\\d+)+$|\\d+$", "-*").replace("--*", "-*");
    }

    List<Share> topSelf(int count) {
        return top(self, count);
    }

    List<Share> topGraypipe(int count) {
        return top(graypipe, count);
    }

    List<Share> topAllocators(int count) {
        return top(allocatedBy, count);
    }

    private void sample(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        self.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
        graypipe.merge(innermostGraypipe(stack), 1L, Long::sum);
    }

    private void allocation(RecordedStackTrace stack, long bytes) {
        allocatedBytes += bytes;
        allocatedBy.merge(stack == null || stack.getFrames().isEmpty() ? "(no stack)" : innermostGraypipe(stack),
                bytes, Long::sum);
    }

    private static boolean underJna(RecordedStackTrace stack) {
        return stack != null && stack.getFrames().stream()
                .anyMatch(frame -> frame.getMethod().getType().getName().startsWith("com.sun.jna."));
    }

    private static String innermostGraypipe(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            if (frame.getMethod().getType().getName().startsWith("io.graypipe.")) {
                return name(frame);
            }
        }
        // Stacks with no graypipe frame: Netty's event loop, the JIT's and GC's own threads, JDK housekeeping.
        return "(outside graypipe) " + name(stack.getFrames().get(stack.getFrames().size() - 1));
    }

    private static String name(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        String type = method.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + method.getName();
    }

    private static List<Share> top(Map<String, Long> weights, int count) {
        return weights.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(count)
                .map(entry -> new Share(entry.getKey(), entry.getValue()))
                .collect(Collectors.toList());
    }
}
