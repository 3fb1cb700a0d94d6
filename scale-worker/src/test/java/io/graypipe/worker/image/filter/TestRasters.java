package io.graypipe.worker.image.filter;

import io.graypipe.worker.image.PlanarRaster;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic test rasters and a pixel comparison with a tolerance away from the border. */
final class TestRasters {
    private TestRasters() {
    }

    /**
     * A gray picture with what filters react to: a smooth gradient, hard-edged shapes, clipped black and white
     * areas and noise.
     */
    static byte[] picture(int w, int h, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 40 + 160.0 * x / Math.max(1, w - 1);
                if ((x / 7 + y / 5) % 3 == 0) {
                    v += 60;
                }
                if (x > w * 2 / 3 && y < h / 4) {
                    v = 255;
                }
                if (x < w / 5 && y > h * 3 / 4) {
                    v = 0;
                }
                v += random.nextInt(-12, 13);
                out[y * w + x] = (byte) Math.max(0, Math.min(255, (int) v));
            }
        }
        return out;
    }

    static PlanarRaster gray(int w, int h, long seed) {
        return new PlanarRaster(w, h, new byte[][]{picture(w, h, seed)}, null);
    }

    static PlanarRaster grayAlpha(int w, int h, long seed) {
        byte[] alpha = picture(w, h, seed + 1);
        return new PlanarRaster(w, h, new byte[][]{picture(w, h, seed)}, alpha);
    }

    static int level(byte[] plane, int w, int x, int y) {
        return plane[y * w + x] & 0xff;
    }

    /** Every pixel at least {@code border} pixels in from each edge differs by at most {@code tolerance}. */
    static void assertClose(byte[] expected, byte[] actual, int w, int h, int border, int tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        int worst = 0;
        String where = "";
        for (int y = border; y < h - border; y++) {
            for (int x = border; x < w - border; x++) {
                int d = Math.abs(level(expected, w, x, y) - level(actual, w, x, y));
                if (d > worst) {
                    worst = d;
                    where = " at (" + x + ", " + y + "): expected " + level(expected, w, x, y) + ", got "
                            + level(actual, w, x, y);
                }
            }
        }
        assertTrue(worst <= tolerance, what + ": off by " + worst + where);
    }
}
