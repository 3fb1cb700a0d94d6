package io.graypipe.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slope test on made-up series, always; and a real soak of GRAYPIPE_SOAK_MINUTES minutes (CI sets 2) against
 * the front jar that the reactor built before this module, with faults twice as often as scripts/soak's default so
 * that a short run sees both kinds. Its report goes to bench/target/soak/.
 */
class SoakTest {
    @Test
    void slopeTestPassesAFlatSeriesAndFailsAGrowingOne() {
        List<SoakReport.Sample> flat = new java.util.ArrayList<>();
        List<SoakReport.Sample> growing = new java.util.ArrayList<>();
        for (int i = 0; i <= 30; i++) {
            double minutes = i / 6.0;
            flat.add(new SoakReport.Sample(minutes, Map.of("front fds", 40.0 + (i % 3))));
            growing.add(new SoakReport.Sample(minutes, Map.of("front fds", 40.0 + 2 * i)));
        }
        assertTrue(verdict(flat).ok());
        SoakReport.SeriesVerdict grows = verdict(growing);
        assertFalse(grows.ok(), "rises by " + grows.risePerWindow() + ", allowed " + grows.allowed());
    }

    private static SoakReport.SeriesVerdict verdict(List<SoakReport.Sample> samples) {
        return SoakReport.slopes(samples, 1).stream().filter(v -> v.series().equals("front fds")).findFirst()
                .orElseThrow();
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "GRAYPIPE_SOAK_MINUTES", matches = "[0-9.]+")
    void soakPassesItsVerdict() throws Exception {
        SoakCommand soak = new SoakCommand();
        soak.frontJar = Path.of("../front-server/target/graypipe.jar");
        assertTrue(Files.isRegularFile(soak.frontJar), "the front jar is built before bench's tests");
        soak.minutes = Double.parseDouble(System.getenv("GRAYPIPE_SOAK_MINUTES"));
        soak.childKillSeconds = 30;
        soak.workerKillSeconds = 60;
        // The data directory settles after the TTL plus the front's 30 s sweep period: within a 1-minute warm-up.
        soak.resultTtlSeconds = 5;
        soak.warmupMinutes = Math.min(1.0, soak.minutes / 2);
        // The data directory saw-tooths by one 30 s sweep period of results; two clients keep that well inside
        // its 16 MiB slack on a fast machine (four reached 16 of 18 MiB at 20 tasks/s).
        soak.clients = 2;
        soak.out = Path.of("target/soak");
        SoakCommand.Result result = soak.run();
        SoakReport.write(soak.out, result);
        String report = Files.readString(soak.out.resolve("soak.md"));
        assertTrue(result.accepted() > 0, report);
        assertEquals(List.of(), result.unaccounted(), report);
        assertEquals(0L, result.statuses().getOrDefault(500, 0L), report);
        assertTrue(result.passed(), report);
    }
}
