package io.graypipe.bench;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records this JVM with Flight Recorder while a named thread burns CPU, and reads the recording back. */
class JfrProfileTest {
    private static volatile long sink;

    @Test
    void chargesTheBusyThreadAndItsMethod(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("test.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
            recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofMillis(100));
            recording.enable("jdk.InitialSystemProperty");
            recording.start();
            Thread busy = new Thread(JfrProfileTest::spin, "graypipe-spin-1");
            busy.start();
            busy.join();
            recording.stop();
            recording.dump(file);
        }

        JfrProfile profile = JfrProfile.read(file, JfrProfile.Window.ALL);

        assertEquals(JfrProfile.Tier.OTHER, profile.tier(), "the test JVM is none of graypipe's tiers");
        assertTrue(profile.samples() > 20, "samples: " + profile.samples());
        assertEquals("JfrProfileTest.spin", profile.topGraypipe(1).get(0).method(),
                "the spinning method is the innermost graypipe frame of most samples: " + profile.topGraypipe(3));
        Map.Entry<String, Double> busiest = profile.threadShares().get(0);
        assertEquals("graypipe-spin-*", busiest.getKey(), "thread groups: " + profile.threadShares());
        assertTrue(busiest.getValue() > 0.5, "the spinning thread has most of the CPU: " + profile.threadShares());
    }

    @Test
    void countsOnlyTheEventsInsideTheWindow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("window.jfr");
        Instant between;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
            recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofMillis(100));
            recording.start();
            runAndJoin("graypipe-warmup-1");
            between = Instant.now();
            runAndJoin("graypipe-steady-1");
            recording.stop();
            recording.dump(file);
        }

        JfrProfile all = JfrProfile.read(file, JfrProfile.Window.ALL);
        JfrProfile steady = JfrProfile.read(file, new JfrProfile.Window(between, Instant.now()));

        assertTrue(all.threadShares().stream().anyMatch(group -> group.getKey().equals("graypipe-warmup-*")),
                "the whole recording has the first thread: " + all.threadShares());
        assertTrue(steady.threadShares().stream().noneMatch(group -> group.getKey().equals("graypipe-warmup-*")),
                "the window leaves the thread that ran before it out: " + steady.threadShares());
        assertEquals("graypipe-steady-*", steady.threadShares().get(0).getKey(), "thread groups: " + steady.threadShares());
        assertTrue(steady.samples() > 20 && steady.samples() < all.samples(),
                "samples in the window " + steady.samples() + ", in all " + all.samples());
    }

    private static void runAndJoin(String threadName) throws InterruptedException {
        Thread busy = new Thread(JfrProfileTest::spin, threadName);
        busy.start();
        busy.join();
    }

    @Test
    void namesTiersByMainClass() {
        assertEquals(JfrProfile.Tier.FRONT, JfrProfile.Tier.of("front-server/target/graypipe.jar -p 0"));
        assertEquals(JfrProfile.Tier.WORKER, JfrProfile.Tier.of("io.graypipe.worker.WorkerMain --port 0"));
        assertEquals(JfrProfile.Tier.CHILD, JfrProfile.Tier.of("io.graypipe.worker.ChildMain 1000 off"));
    }

    private static void spin() {
        long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        long value = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                value = value * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = value;
    }
}
