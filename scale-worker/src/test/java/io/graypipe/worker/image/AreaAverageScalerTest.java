package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AreaAverageScalerTest {
    private static ImageData gray(int w, int h, int... values) {
        byte[] data = new byte[w * h];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) values[i % values.length];
        }
        return new ImageData(PixelFormat.GRAY8, w, h, data);
    }

    private static int at(ImageData img, int x, int y) {
        return img.data()[(y * img.width() + x) * img.format().bytesPerPixel()] & 0xff;
    }

    @Test
    void outputSizes() {
        int[][] cases = { // w, h, factor*1000, expected w, expected h
                {10, 10, 300, 3, 3}, {10, 7, 700, 7, 4}, {1, 1, 500, 1, 1}, {1, 1, 1000, 1, 1},
                {3840, 2160, 500, 1920, 1080}, {3, 3, 1, 1, 1}, {100, 50, 1000, 100, 50}, {7, 3, 290, 2, 1},
                {1000, 1000, 100, 100, 100}, {999, 333, 333, 332, 110}};
        for (int[] c : cases) {
            double f = c[2] / 1000.0;
            assertEquals(c[3], io.graypipe.protocol.ScaleRequest.targetSize(c[0], f), c[0] + "*" + f);
            assertEquals(c[4], io.graypipe.protocol.ScaleRequest.targetSize(c[1], f), c[1] + "*" + f);
            ImageData out = AreaAverageScaler.scale(gray(c[0], c[1], 9), f);
            assertEquals(c[3], out.width());
            assertEquals(c[4], out.height());
        }
        assertEquals(3, io.graypipe.protocol.ScaleRequest.targetSize(10, 0.3)); // 0.3 * 10 = 2.9999999999999996 in doubles
        assertEquals(29, io.graypipe.protocol.ScaleRequest.targetSize(100, 0.29));
        assertEquals(57, io.graypipe.protocol.ScaleRequest.targetSize(100, 0.57));
    }

    @Test
    void factorOneKeepsTheImage() {
        ImageData src = gray(5, 4, 1, 2, 3);
        assertSame(src, AreaAverageScaler.scale(src, 1.0));
        ImageData tiny = gray(1, 1, 77);
        assertSame(tiny, AreaAverageScaler.scale(tiny, 0.01));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> AreaAverageScaler.scale(gray(2, 2, 0), 0));
        assertThrows(IllegalArgumentException.class, () -> AreaAverageScaler.scale(gray(2, 2, 0), 1.5));
        assertThrows(IllegalArgumentException.class, () -> AreaAverageScaler.scale(gray(2, 2, 0), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> AreaAverageScaler.scale(gray(2, 2, 0), 3, 1));
        assertThrows(IllegalArgumentException.class, () -> AreaAverageScaler.scale(gray(2, 2, 0), 0, 1));
    }

    @Test
    void checkerboardAtHalfIsFlatGray() {
        int w = 64;
        int h = 48;
        byte[] data = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                data[y * w + x] = (byte) (((x + y) & 1) == 0 ? 0 : 255);
            }
        }
        ImageData out = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, w, h, data), 0.5);
        assertEquals(32, out.width());
        for (byte b : out.data()) {
            assertEquals(128, b & 0xff); // 127.5 rounds half up
        }
    }

    @Test
    void checkerboardAtOddRatioHasNoAliasing() {
        int n = 90;
        byte[] data = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                data[y * n + x] = (byte) (((x + y) & 1) == 0 ? 0 : 255);
            }
        }
        ImageData out = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, n, n, data), 1 / 3.0);
        assertEquals(30, out.width());
        for (byte b : out.data()) {
            int v = b & 0xff;
            assertEquals(true, v == 113 || v == 142, "3x3 checker cells average 4/9 or 5/9 of 255: " + v);
        }
    }

    @Test
    void threeToTwoByHand() {
        // Row of 3 -> 2: output 0 covers source [0, 1.5): (a + b/2) / 1.5; output 1 covers [1.5, 3): (b/2 + c) / 1.5.
        ImageData src = gray(3, 3, 0, 90, 200, 30, 60, 90, 255, 255, 255);
        ImageData out = AreaAverageScaler.scale(src, 2 / 3.0);
        assertEquals(2, out.width());
        assertEquals(2, out.height());
        // Each output pixel is a 1.5 x 1.5 area with weights (1, .5) x (1, .5) over 2.25.
        // (0,0): rows 0 (w1) and 1 (w.5), cols 0 (w1) and 1 (w.5):
        //   (1*1*0 + 1*.5*90 + .5*1*30 + .5*.5*60) / 2.25 = (45 + 15 + 15) / 2.25 = 33.33 -> 33
        assertEquals(33, at(out, 0, 0));
        // (1,0): cols 1 (w.5), 2 (w1): (.5*90 + 1*200 + .5*.5*60 + .5*1*90) / 2.25 = (45+200+15+45)/2.25 = 135.56 -> 136
        assertEquals(136, at(out, 1, 0));
        // (0,1): rows 1 (w.5), 2 (w1): (.5*.5*60 + .5*1*30... careful: col0 w1, col1 w.5
        //   row1: .5*(1*30 + .5*60) = 30 ; row2: 1*(1*255 + .5*255) = 382.5 ; (30 + 382.5)/2.25 = 183.33 -> 183
        assertEquals(183, at(out, 0, 1));
        // (1,1): row1: .5*(.5*60 + 1*90) = 60 ; row2: 1*(.5*255 + 255) = 382.5 ; 442.5/2.25 = 196.67 -> 197
        assertEquals(197, at(out, 1, 1));
    }

    @Test
    void matchesBruteForceAreaAverage() {
        Random random = new Random(42);
        for (int trial = 0; trial < 60; trial++) {
            int w = 1 + random.nextInt(40);
            int h = 1 + random.nextInt(40);
            double f = 0.05 + random.nextDouble() * 0.95;
            byte[] data = new byte[w * h];
            random.nextBytes(data);
            ImageData out = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, w, h, data), f);
            if (out.width() == w && out.height() == h) {
                continue;
            }
            int ow = out.width();
            int oh = out.height();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    // Exact rational reference: weights in units of 1/(ow*oh), sum over the covered area.
                    BigInteger sum = BigInteger.ZERO;
                    for (int y = 0; y < h; y++) {
                        long wy = overlap((long) y * oh, (long) (y + 1) * oh, (long) oy * h, (long) (oy + 1) * h);
                        for (int x = 0; x < w && wy > 0; x++) {
                            long wx = overlap((long) x * ow, (long) (x + 1) * ow, (long) ox * w, (long) (ox + 1) * w);
                            sum = sum.add(BigInteger.valueOf(wx * wy * (data[y * w + x] & 0xff)));
                        }
                    }
                    BigInteger area = BigInteger.valueOf((long) w * h);
                    int expected = sum.shiftLeft(1).add(area).divide(area.shiftLeft(1)).intValueExact();
                    assertEquals(expected, at(out, ox, oy), w + "x" + h + " f=" + f + " at " + ox + "," + oy);
                }
            }
        }
    }

    private static long overlap(long a0, long a1, long b0, long b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }

    @Test
    void integerRatiosMatchBoxAverage() {
        Random random = new Random(3);
        byte[] data = new byte[12 * 9];
        random.nextBytes(data);
        ImageData out = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, 12, 9, data), 1 / 3.0);
        assertEquals(4, out.width());
        assertEquals(3, out.height());
        for (int oy = 0; oy < 3; oy++) {
            for (int ox = 0; ox < 4; ox++) {
                int sum = 0;
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        sum += data[(oy * 3 + y) * 12 + ox * 3 + x] & 0xff;
                    }
                }
                assertEquals((2 * sum + 9) / 18, at(out, ox, oy));
            }
        }
    }

    @Test
    void alphaIsPremultiplied() {
        // 2x1 -> 1x1: an opaque 200 next to a transparent 0 stays 200 (not 100), alpha halves.
        ImageData src = new ImageData(PixelFormat.GRAY_ALPHA8, 2, 1, new byte[]{(byte) 200, (byte) 255, 0, 0});
        ImageData out = AreaAverageScaler.scale(src, 0.5);
        assertEquals(PixelFormat.GRAY_ALPHA8, out.format());
        assertArrayEquals(new byte[]{(byte) 200, (byte) 128}, out.data());
        // Weighted: gray 100 at alpha 255 and gray 250 at alpha 85: (100*255 + 250*85) / 340 = 137.5 -> 138.
        ImageData mixed = new ImageData(PixelFormat.GRAY_ALPHA8, 2, 1, new byte[]{100, (byte) 255, (byte) 250, 85});
        assertArrayEquals(new byte[]{(byte) 138, (byte) 170}, AreaAverageScaler.scale(mixed, 0.5).data());
        // Fully transparent stays fully transparent.
        ImageData clear = new ImageData(PixelFormat.GRAY_ALPHA8, 2, 2, new byte[]{9, 0, 99, 0, (byte) 199, 0, 1, 0});
        assertArrayEquals(new byte[]{0, 0}, AreaAverageScaler.scale(clear, 0.5).data());
    }

    @Test
    void alphaOpaqueMatchesGray() {
        Random random = new Random(5);
        int w = 17;
        int h = 11;
        byte[] g = new byte[w * h];
        random.nextBytes(g);
        byte[] ga = new byte[w * h * 2];
        for (int i = 0; i < g.length; i++) {
            ga[2 * i] = g[i];
            ga[2 * i + 1] = (byte) 255;
        }
        ImageData a = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, w, h, g), 0.4);
        ImageData b = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY_ALPHA8, w, h, ga), 0.4);
        for (int i = 0; i < a.data().length; i++) {
            assertEquals(a.data()[i], b.data()[2 * i]);
            assertEquals((byte) 255, b.data()[2 * i + 1]);
        }
    }

    @Test
    void dividerIsExact() {
        Random random = new Random(11);
        long[] divisors = {1, 2, 3, 5, 6, 7, 10, 12, 255, 1000, 4096, 999_999, 16_777_215, 123_456_789_012L,
                (1L << 40) + 1, (1L << 52) - 1};
        for (long d : divisors) {
            AreaAverageScaler.Divider divider = new AreaAverageScaler.Divider(d);
            long max = 256 * d;
            for (int i = 0; i < 20000; i++) {
                long n = i < 1000 ? i : Math.floorMod(random.nextLong(), max + 1);
                assertEquals(n / d, divider.divide(n), n + "/" + d);
            }
            for (long k = 0; k <= 256; k++) {
                long n = k * d;
                assertEquals(k, divider.divide(n));
                if (n > 0) {
                    assertEquals(k - 1, divider.divide(n - 1));
                }
            }
        }
    }
}
