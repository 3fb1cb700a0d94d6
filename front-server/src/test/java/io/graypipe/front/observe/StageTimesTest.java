package io.graypipe.front.observe;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StageTimesTest {

    @Test
    void quantilesAreReadFromTheRecordedTimes() {
        StageTimes times = new StageTimes("queued", "scaling");
        for (int ms = 1; ms <= 100; ms++) {
            times.record("scaling", Duration.ofMillis(ms));
        }
        StageTimes.Summary scaling = times.summaries().get("scaling");
        assertEquals(100, scaling.count());
        // Three significant digits: within 0.1 % of the 50th and 95th of the times recorded.
        assertEquals(50.0, scaling.p50Ms(), 0.05);
        assertEquals(95.0, scaling.p95Ms(), 0.1);
        // Times since start: a second read sees the first's and the new one.
        times.record("scaling", Duration.ofSeconds(90));
        assertEquals(101, times.summaries().get("scaling").count());
    }

    @Test
    void aStageWithoutTimesHasNoQuantile() {
        StageTimes.Summary queued = new StageTimes("queued").summaries().get("queued");
        assertEquals(0, queued.count());
        assertNull(queued.p50Ms());
        assertNull(queued.p95Ms());
    }
}
