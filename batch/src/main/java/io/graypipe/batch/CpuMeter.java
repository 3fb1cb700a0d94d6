package io.graypipe.batch;

import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time of the embedded front's process tree (front, scale-worker, its child JVMs), summed from the operating
 * system's per-process counters. A child that exits takes its time with it, so a pass in which children were
 * replaced reads a little low.
 */
final class CpuMeter {
    private final ProcessHandle root;

    CpuMeter(ProcessHandle root) {
        this.root = root;
    }

    Duration cpuTime() {
        return Stream.concat(Stream.of(root), root.descendants())
                .map(process -> process.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }
}
