package io.graypipe.front.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LumaTest {
    @Test
    void fixedPointMatchesExactFormulaForAllInputs() {
        long mathRoundDisagreements = 0;
        for (int r = 0; r < 256; r++) {
            for (int g = 0; g < 256; g++) {
                for (int b = 0; b < 256; b++) {
                    int numerator = 299 * r + 587 * g + 114 * b;
                    int exact = (numerator + 500) / 1000;
                    int fixed = Luma.of(r, g, b);
                    if (fixed != exact) {
                        assertEquals(exact, fixed, "luma(" + r + "," + g + "," + b + ")");
                    }
                    long viaDouble = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    if (viaDouble != exact) {
                        // Doubles cannot hold 0.299 etc. exactly, so Math.round on them can only miss exact ties.
                        assertEquals(500, numerator % 1000, "double formula off away from a tie at " + r + "," + g + "," + b);
                        mathRoundDisagreements++;
                    }
                }
            }
        }
        assertTrue(mathRoundDisagreements < 10_000);
    }

    @Test
    void knownPatches() {
        assertEquals(76, Luma.of(255, 0, 0));
        assertEquals(150, Luma.of(0, 255, 0));
        assertEquals(29, Luma.of(0, 0, 255));
        assertEquals(255, Luma.of(255, 255, 255));
        assertEquals(0, Luma.of(0, 0, 0));
        assertEquals(128, Luma.of(128, 128, 128));
        assertEquals(226, Luma.of(255, 255, 0));
    }

    @Test
    void sixteenBitReduction() {
        assertEquals(0, Luma.from16(0));
        assertEquals(255, Luma.from16(65535));
        assertEquals(128, Luma.from16(128 * 257));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, Luma.from16(v * 257));
        }
        assertEquals(0, Luma.from16(128));   // 128/257 = 0.498 rounds down
        assertEquals(1, Luma.from16(129));   // 0.502 rounds up
    }
}
