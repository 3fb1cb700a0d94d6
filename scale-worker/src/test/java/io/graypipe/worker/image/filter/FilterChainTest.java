package io.graypipe.worker.image.filter;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Op;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpChainException;
import io.graypipe.protocol.OpKind;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.PlanarRaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ops Pillow does not define, each against a straightforward implementation written here. */
class FilterChainTest {
    private static final int W = 53;
    private static final int H = 37;

    private static PlanarRaster apply(PlanarRaster raster, String chain) {
        return FilterChain.apply(raster, OpChain.parse(chain).ops());
    }

    @Test
    void sepiaIsTheCssMatrixOnGray() {
        PlanarRaster gray = TestRasters.gray(W, H, 1);
        PlanarRaster sepia = apply(gray, "sepia");
        assertTrue(sepia.isColour());
        double[] weights = {1.351, 1.203, 0.937};
        for (int c = 0; c < 3; c++) {
            byte[] expected = new byte[W * H];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (byte) Math.min(255, Math.round(weights[c] * (gray.plane(0)[i] & 0xff)));
            }
            TestRasters.assertClose(expected, sepia.plane(c), W, H, 0, 0, "sepia channel " + c);
        }
    }

    @Test
    void sepiaOnColourAppliesTheWholeMatrix() {
        PlanarRaster rgb = new PlanarRaster(1, 1, new byte[][]{{(byte) 200}, {100}, {50}}, null);
        PlanarRaster twice = apply(rgb, "sepia");
        assertEquals(Math.min(255, Math.round(0.393 * 200 + 0.769 * 100 + 0.189 * 50)), twice.plane(0)[0] & 0xff);
        assertEquals(Math.round(0.349 * 200 + 0.686 * 100 + 0.168 * 50), twice.plane(1)[0] & 0xff);
        assertEquals(Math.round(0.272 * 200 + 0.534 * 100 + 0.131 * 50), twice.plane(2)[0] & 0xff);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 8})
    void posterizeKeepsTheTopBits(int bits) {
        PlanarRaster gray = TestRasters.gray(W, H, 2);
        byte[] expected = new byte[W * H];
        for (int i = 0; i < expected.length; i++) {
            int v = gray.plane(0)[i] & 0xff;
            expected[i] = (byte) ((v >> (8 - bits)) << (8 - bits));
        }
        assertArrayEquals(expected, apply(gray, "posterize:" + bits).plane(0));
    }

    @Test
    void invertAndOrderMatter() {
        PlanarRaster gray = new PlanarRaster(2, 1, new byte[][]{{100, (byte) 200}}, null);
        assertArrayEquals(new byte[]{(byte) 155, 55}, apply(gray, "invert").plane(0));
        // invert then posterize:1: 155 -> 128, 55 -> 0; posterize:1 then invert: 0 -> 255, 128 -> 127
        assertArrayEquals(new byte[]{(byte) 128, 0}, apply(gray, "invert,posterize:1").plane(0));
        assertArrayEquals(new byte[]{(byte) 255, 127}, apply(gray, "posterize:1,invert").plane(0));
    }

    @ParameterizedTest
    @ValueSource(ints = {90, 180, 270})
    void rotateMovesEveryPixelClockwise(int degrees) {
        PlanarRaster source = TestRasters.grayAlpha(W, H, 3);
        PlanarRaster rotated = apply(source, "rotate:" + degrees);
        int ow = degrees == 180 ? W : H;
        assertEquals(ow, rotated.width());
        assertEquals(degrees == 180 ? H : W, rotated.height());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int tx = degrees == 90 ? H - 1 - y : degrees == 180 ? W - 1 - x : y;
                int ty = degrees == 90 ? x : degrees == 180 ? H - 1 - y : W - 1 - x;
                assertEquals(TestRasters.level(source.plane(0), W, x, y), TestRasters.level(rotated.plane(0), ow, tx, ty));
                assertEquals(TestRasters.level(source.alpha(), W, x, y), TestRasters.level(rotated.alpha(), ow, tx, ty));
            }
        }
        assertArrayEquals(source.plane(0), apply(rotated, "rotate:" + (360 - degrees)).plane(0));
    }

    @Test
    void flipMirrorsExactly() {
        PlanarRaster source = TestRasters.grayAlpha(W, H, 4);
        PlanarRaster h = apply(source, "flip:h");
        PlanarRaster v = apply(source, "flip:v");
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int level = TestRasters.level(source.plane(0), W, x, y);
                assertEquals(level, TestRasters.level(h.plane(0), W, W - 1 - x, y));
                assertEquals(level, TestRasters.level(v.plane(0), W, x, H - 1 - y));
                assertEquals(TestRasters.level(source.alpha(), W, x, y), TestRasters.level(v.alpha(), W, x, H - 1 - y));
            }
        }
    }

    @Test
    void resizeFitsInsideTheBoxWithTheAreaAverage() {
        PlanarRaster source = TestRasters.gray(100, 50, 5);
        PlanarRaster fitted = apply(source, "resize:30x30");
        assertEquals(30, fitted.width());
        assertEquals(15, fitted.height());
        // Independent area average in doubles: each output pixel is the mean of its 10/3 × 10/3 source square.
        byte[] expected = new byte[30 * 15];
        double k = 100 / 30.0;
        for (int oy = 0; oy < 15; oy++) {
            for (int ox = 0; ox < 30; ox++) {
                double sum = 0;
                for (int sy = (int) (oy * k); sy < Math.min(50, Math.ceil((oy + 1) * k)); sy++) {
                    double cy = Math.min(sy + 1, (oy + 1) * k) - Math.max(sy, oy * k);
                    for (int sx = (int) (ox * k); sx < Math.min(100, Math.ceil((ox + 1) * k)); sx++) {
                        double cx = Math.min(sx + 1, (ox + 1) * k) - Math.max(sx, ox * k);
                        sum += cx * cy * TestRasters.level(source.plane(0), 100, sx, sy);
                    }
                }
                expected[oy * 30 + ox] = (byte) Math.round(sum / (k * k));
            }
        }
        TestRasters.assertClose(expected, fitted.plane(0), 30, 15, 0, 1, "resize:30x30");
        PlanarRaster tall = apply(source, "resize:80x10");
        assertEquals(20, tall.width());
        assertEquals(10, tall.height());
        assertEquals(1, apply(source, "resize:1x65535").height());
    }

    @Test
    void resizeNeverEnlarges() {
        PlanarRaster source = TestRasters.gray(40, 20, 6);
        assertSame(source, apply(source, "resize:400x400"));
        assertSame(source, apply(source, "resize:40x20"));
    }

    @Test
    void resizeWithAlphaAveragesLikeTheScaler() {
        PlanarRaster source = TestRasters.grayAlpha(60, 40, 7);
        PlanarRaster fitted = apply(source, "resize:30x30");
        ImageData scaled = AreaAverageScaler.scale(source.toGrayImageData(), 30, 20);
        assertArrayEquals(scaled.data(), fitted.toGrayImageData().data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"graypipe", "(c) 2026 ACME Photo: all rights reserved", "x"})
    void watermarkChangesOnlyItsBox(String text) {
        PlanarRaster source = TestRasters.grayAlpha(320, 200, 8);
        PlanarRaster marked = apply(source, "watermark:" + text);
        Watermark.Box box = Watermark.box(320, 200, text);
        assertTrue(box.x() + box.width() <= 320 && box.y() + box.height() <= 200 && box.x() >= 0 && box.y() >= 0);
        assertTrue(box.x() > 320 / 3 || box.width() > 200, "bottom-right: " + box);
        assertTrue(box.y() > 200 / 2, "bottom-right: " + box);
        int changed = 0;
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 320; x++) {
                boolean inside = x >= box.x() && x < box.x() + box.width() && y >= box.y() && y < box.y() + box.height();
                int before = TestRasters.level(source.plane(0), 320, x, y);
                int after = TestRasters.level(marked.plane(0), 320, x, y);
                if (!inside) {
                    assertEquals(before, after, "outside the box at " + x + "," + y);
                } else if (before != after) {
                    changed++;
                    // semi-transparent: at most half way to white or black
                    assertTrue(Math.abs(after - before) <= (before < 128 ? 255 - before : before) / 2 + 1);
                }
            }
        }
        assertTrue(changed > text.length() * 3, "the text is visible: " + changed + " pixels changed");
        assertArrayEquals(source.alpha(), marked.alpha());
        assertArrayEquals(marked.plane(0), apply(source, "watermark:" + text).plane(0), "deterministic");
    }

    @Test
    void watermarkFitsSmallAndColourImages() {
        PlanarRaster sepia = apply(TestRasters.gray(40, 12, 9), "sepia");
        PlanarRaster marked = apply(sepia, "watermark:" + "w".repeat(100));
        assertTrue(marked.isColour());
        assertEquals(40, marked.width());
        PlanarRaster dot = TestRasters.gray(1, 1, 9);
        assertArrayEquals(dot.plane(0), apply(dot, "watermark:tiny").plane(0));
    }

    @Test
    void sharpenAndBlurOfAFlatImageChangeNothing() {
        byte[] flat = new byte[W * H];
        java.util.Arrays.fill(flat, (byte) 77);
        PlanarRaster raster = new PlanarRaster(W, H, new byte[][]{flat}, null);
        for (String chain : List.of("sharpen:5", "blur:50", "blur:0.01", "emboss")) {
            byte[] out = apply(raster, chain).plane(0);
            for (int i = 0; i < out.length; i++) {
                int expected = chain.equals("emboss") && i >= W && i < W * (H - 1) && i % W != 0 && i % W != W - 1
                        ? 128 : 77;
                assertEquals(expected, out[i] & 0xff, chain + " at " + i);
            }
        }
    }

    @Test
    void everyOpKeepsAlphaAndNeverModifiesItsInput() {
        PlanarRaster source = TestRasters.grayAlpha(W, H, 10);
        byte[] gray = source.plane(0).clone();
        byte[] alpha = source.alpha().clone();
        PlanarRaster out = apply(source,
                "invert,brightness:1.2,contrast:1.5,blur:1.5,sharpen:2,edges,emboss,posterize:3,sepia,watermark:hi");
        assertTrue(out.isColour());
        assertArrayEquals(alpha, out.alpha());
        assertArrayEquals(gray, source.plane(0));
        assertArrayEquals(alpha, source.alpha());
        assertSame(source, FilterChain.apply(source, List.of()));
    }

    @Test
    void wireOpsAreCheckedAgain() {
        PlanarRaster source = TestRasters.gray(4, 4, 11);
        OpChainException e = assertThrows(OpChainException.class,
                () -> FilterChain.apply(source, List.of(Op.of(OpKind.BLUR, 80))));
        assertEquals("ops: blur radius 80 is out of range; use 0 < R <= 50", e.getMessage());
        assertThrows(OpChainException.class,
                () -> FilterChain.apply(source, java.util.Collections.nCopies(11, Op.of(OpKind.INVERT))));
    }

    @Test
    void grayAlphaRoundTripsThroughTheWireFormat() {
        PlanarRaster source = TestRasters.grayAlpha(5, 3, 12);
        ImageData wire = source.toGrayImageData();
        assertEquals(PixelFormat.GRAY_ALPHA8, wire.format());
        PlanarRaster back = PlanarRaster.of(wire);
        assertArrayEquals(source.plane(0), back.plane(0));
        assertArrayEquals(source.alpha(), back.alpha());
        assertFalse(back.isColour());
        assertNotEquals(0, wire.data().length);
    }
}
