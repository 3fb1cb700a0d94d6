package io.graypipe.batch;

import io.graypipe.batch.BatchReport.ModeComparison;
import io.graypipe.batch.BatchReport.PassReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryTableTest {
    private static PassReport pass(String mode, String variant, double wallSeconds, long images) {
        return new PassReport(mode, variant, variant, images, images, 0, 0, 0, wallSeconds,
                wallSeconds * 1000 / images, images / wallSeconds, 1.5, 0, images / 2);
    }

    @Test
    void bothModesAreComparedPerVariant() {
        List<PassReport> passes = List.of(pass("processes", "sepia", 2, 20), pass("processes", "invert", 4, 20),
                pass("threads", "sepia", 4, 20), pass("threads", "invert", 2, 20));
        List<ModeComparison> comparisons = ModeComparison.of(passes);
        assertEquals(List.of(new ModeComparison("sepia", 5.0, 10.0, 0.5), new ModeComparison("invert", 10.0, 5.0, 2.0)),
                comparisons);

        String table = SummaryTable.render(new BatchReport("http://[::1]:8080", "0123abcd", "test", false, 20, 4,
                passes, comparisons, List.of(), List.of()));
        assertTrue(table.contains("threads/processes"), table);
        assertTrue(table.lines().anyMatch(line -> line.matches("sepia\\s+5\\.00\\s+10\\.00\\s+0\\.50")), table);
        assertTrue(table.lines().anyMatch(line -> line.matches("threads\\s+invert\\s+20\\s+20\\s+0\\s+0\\s+0\\s+2\\.00\\s+100\\.0\\s+10\\.00\\s+1\\.50\\s+10")),
                table);
    }

    @Test
    void oneModeHasNoComparison() {
        assertEquals(List.of(), ModeComparison.of(List.of(pass(null, "gray", 1, 3))));
    }
}
