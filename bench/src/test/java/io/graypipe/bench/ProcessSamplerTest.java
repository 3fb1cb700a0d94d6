package io.graypipe.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessSamplerTest {
    @Test
    void parsesStatFieldsAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 30 0 1000 "
                + "5000000 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(287, ProcessSampler.cpuTicks(stat));
    }

    @Test
    void readsKilobyteFieldsOfProcStatus() {
        String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assertEquals(204800, ProcessSampler.statusKilobytes(status, "VmHWM:"));
        assertEquals(102400, ProcessSampler.statusKilobytes(status, "VmRSS:"));
        assertEquals(0, ProcessSampler.statusKilobytes(status, "VmSwap:"));
    }

    @Test
    void measuresCpuOfTheWindowAndFindsDescendants() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try (ProcessSampler sampler = new ProcessSampler(ProcessHandle.current().pid(), 20)) {
            sampler.markStart();
            burnCpu(300);
            sampler.markEnd();
            ProcessSampler.TreeStats stats = sampler.stats();

            assertTrue(stats.cpuSeconds() >= 0.2, "window CPU " + stats.cpuSeconds());
            assertTrue(stats.cpuSeconds() < 30, "window CPU " + stats.cpuSeconds());
            assertTrue(stats.peakTotalRssBytes() > 10 << 20);
            assertTrue(stats.sumOfHwmBytes() >= stats.processes().get(0).peakRssBytes());
            ProcessSampler.ProcessStats sleeper = stats.processes().stream()
                    .filter(p -> p.pid() == child.pid()).findFirst().orElseThrow();
            assertEquals(1, sleeper.depth());
            assertTrue(sleeper.command().startsWith("sleep"), sleeper.command());
            assertTrue(sleeper.aliveAtEnd());
        } finally {
            child.destroy();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
    }

    /** Spins until this thread has used {@code millis} of CPU time. */
    private static long burnCpu(long millis) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < until) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
        }
        return x;
    }
}
