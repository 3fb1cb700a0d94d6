package io.graypipe.bench;

import io.graypipe.front.testing.NetNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault schedule and the answer checks, always; and the chaos soak of the whole cluster for
 * GRAYPIPE_CHAOS_MINUTES minutes (CI sets 2), with the seed GRAYPIPE_CHAOS_SEED (default 24). It needs root for the
 * network namespaces: it fails rather than skips where GRAYPIPE_REQUIRE_NETNS is set, as in CI. Its report goes to
 * bench/target/chaos/. Surefire runs it beside SoakTest (forkCount 2 in bench), so CI waits for the longer of them.
 */
class ChaosSoakTest {
    /** CI's 2 minutes with its seed, and 3. */
    @ParameterizedTest
    @ValueSource(ints = {120, 180})
    void theScheduleComesFromTheSeedHasEveryKindAndNeverOverlapsOneTarget(int seconds) {
        List<ChaosSchedule.Fault> faults = ChaosSchedule.draw(24, seconds);
        assertEquals(faults, ChaosSchedule.draw(24, seconds));
        assertNotEquals(faults, ChaosSchedule.draw(25, seconds));
        Set<ChaosSchedule.Kind> kinds = EnumSet.noneOf(ChaosSchedule.Kind.class);
        faults.forEach(f -> kinds.add(f.kind()));
        assertEquals(EnumSet.allOf(ChaosSchedule.Kind.class), kinds, faults::toString);
        for (ChaosSchedule.Fault a : faults) {
            assertTrue(a.endSeconds() <= seconds * 0.85, a::toString);
            for (ChaosSchedule.Fault b : faults) {
                boolean sameSubject = a != b && a.subject().equals(b.subject());
                assertFalse(sameSubject && a.atSeconds() <= b.endSeconds() && b.atSeconds() <= a.endSeconds(),
                        a + " overlaps " + b);
            }
        }
        long overlapping = faults.stream().filter(a -> faults.stream().anyMatch(b -> a != b
                && a.atSeconds() <= b.endSeconds() && b.atSeconds() <= a.endSeconds())).count();
        assertTrue(overlapping >= 2, "faults overlap: " + faults);
        assertTrue(ChaosSchedule.draw(24, 1800).size() >= 1800 * 0.85 / ChaosSchedule.MEAN_GAP_SECONDS - 2);
    }

    @Test
    void aWrongSizeOrChangedBytesIsAViolation() throws Exception {
        ResultCheck check = new ResultCheck();
        byte[] png = BenchImages.encode(BenchImages.render(80, 60, 1), "png");
        byte[] other = BenchImages.encode(BenchImages.render(80, 60, 2), "png");
        assertTrue(check.check("first", new ResultCheck.Expectation("png", 80, 60, "k"), png));
        assertTrue(check.check("again", new ResultCheck.Expectation("png", 80, 60, "k"), png));
        assertFalse(check.check("changed", new ResultCheck.Expectation("png", 80, 60, "k"), other));
        assertFalse(check.check("size", new ResultCheck.Expectation("png", 60, 80, "j"), png));
        assertFalse(check.check("not avif", new ResultCheck.Expectation("avif", 80, 60, "a"), png));
        assertEquals(3, check.violations.size(), check.violations::toString);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "GRAYPIPE_CHAOS_MINUTES", matches = "[0-9.]+")
    void theClusterKeepsEveryPromiseThroughOverlappingFaults() throws Exception {
        NetNamespaces.requireRoot();
        SoakCommand soak = new SoakCommand();
        soak.cluster = true;
        soak.minutes = Double.parseDouble(System.getenv("GRAYPIPE_CHAOS_MINUTES"));
        soak.warmupMinutes = Math.min(1.0, soak.minutes / 3);
        soak.clients = 3;
        soak.sampleSeconds = 5;
        // Results are checked as soon as done: a short TTL lets Redis reach its steady state within the warm-up.
        soak.resultTtlSeconds = 30;
        soak.out = Path.of("target/chaos");
        long seed = Long.parseLong(System.getenv().getOrDefault("GRAYPIPE_CHAOS_SEED", "24"));
        ClusterSoak.Result result = ClusterSoak.run(soak, seed);
        ClusterReport.write(soak.out, result);
        String report = Files.readString(soak.out.resolve("soak.md"));
        assertEquals(List.of(), ClusterReport.reasons(result), report);
        assertTrue(result.passed(), report);
    }
}
