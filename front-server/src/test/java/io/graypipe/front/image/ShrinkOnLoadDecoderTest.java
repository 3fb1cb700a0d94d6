package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shrink-on-load against the exact path: both end in an exact area average to the same target size, and may
 * differ by at most a mean of 2 gray levels. Runs against the system's libturbojpeg.so.0; skipped without it
 * unless GRAYPIPE_REQUIRE_TURBOJPEG is set.
 */
class ShrinkOnLoadDecoderTest {
    private static final ImageLimits LIMITS = new ImageLimits(50_000_000, 20_000);
    private static final double MAX_MEAN_ABSOLUTE_DIFFERENCE = 2.0;

    private final GrayscaleDecoder exactDecoder = new GrayscaleDecoder(LIMITS);

    private static ShrinkOnLoadDecoder turbo() {
        ShrinkOnLoadDecoder decoder = ShrinkOnLoadDecoder.create(LIMITS, false, TurboJpegLibrary.load(TurboJpeg.DEFAULT_LIBRARY));
        ExternalTools.require(decoder.jpegDecoder().equals("turbojpeg"), "GRAYPIPE_REQUIRE_TURBOJPEG",
                "libturbojpeg.so.0 is missing: install Debian's libturbojpeg0");
        return decoder;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.25, 0.125, 0.3})
    void photoLikeImageStaysWithinTwoLevelsOfTheExactPath(double scale) {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(1203, 797), 0.9f, false);
        Comparison c = compare(jpeg, scale);
        assertTrue(c.shrink > 1, "decoded at full size at scale " + scale);
        assertTrue(c.meanAbsoluteDifference <= MAX_MEAN_ABSOLUTE_DIFFERENCE,
                "mean absolute difference " + c.meanAbsoluteDifference + " at scale " + scale);
    }

    /**
     * Independent noise of about 10 levels on every pixel is the worst case: the scaled IDCT and the 2×2 box
     * filter keep different parts of it. Measured 2.6 levels at 1/2, 1.9 at 1/4, 2.0 at 1/8, 1.4 at 0.3.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.25, 0.125, 0.3})
    void pixelLevelNoiseStaysWithinThreeLevels(double scale) {
        byte[] jpeg = TestImages.jpeg(TestImages.noisyPhoto(1203, 797, 14), 0.9f, false);
        Comparison c = compare(jpeg, scale);
        assertTrue(c.meanAbsoluteDifference <= 3.0,
                "mean absolute difference " + c.meanAbsoluteDifference + " at scale " + scale);
        assertEquals(c.exactMean, c.shrunkMean, 0.5, "mean gray");
    }

    /** A 1-pixel checkerboard averages to mid-gray; aliasing would show as pixels far from that. */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.25, 0.125})
    void onePixelCheckerboardAveragesToMidGrayWithoutAliasing(double scale) {
        Comparison c = compare(checkerboard(), scale);
        assertTrue(c.shrink > 1, "decoded at full size at scale " + scale);
        assertEquals(128, c.shrunkMean, 3, "mean of the shrink-on-load output");
        assertTrue(c.shrunkMaxDeviation <= 2, "a pixel is " + c.shrunkMaxDeviation + " levels from the mean gray");
        assertEquals(128, c.exactMean, 3, "mean of the exact output");
        assertTrue(c.meanAbsoluteDifference <= MAX_MEAN_ABSOLUTE_DIFFERENCE,
                "mean absolute difference " + c.meanAbsoluteDifference + " at scale " + scale);
    }

    /**
     * At 0.3 the exact area average itself aliases: each output pixel covers 3⅓ × 3⅓ squares, so its share of
     * white squares varies and the output shows a moiré of up to ±6 levels. Shrink-on-load drops the
     * checkerboard's frequency in the DCT and stays flat; the mean difference to the exact path (2.6) is the
     * exact path's moiré, so this asserts that shrink-on-load is the flatter, not the 2-level bound.
     */
    @Test
    void onePixelCheckerboardAtAFractionalScaleIsFlatterThanTheExactPath() {
        Comparison c = compare(checkerboard(), 0.3);
        assertEquals(2, c.shrink);
        assertEquals(128, c.shrunkMean, 3, "mean of the shrink-on-load output");
        assertTrue(c.shrunkMaxDeviation <= 2, "a pixel is " + c.shrunkMaxDeviation + " levels from the mean gray");
        assertTrue(c.shrunkMaxDeviation < c.exactMaxDeviation,
                "shrink-on-load " + c.shrunkMaxDeviation + " levels from flat, exact " + c.exactMaxDeviation);
    }

    private static byte[] checkerboard() {
        BufferedImage board = new BufferedImage(640, 480, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < board.getHeight(); y++) {
            for (int x = 0; x < board.getWidth(); x++) {
                board.getRaster().setSample(x, y, 0, ((x + y) & 1) == 0 ? 0 : 255);
            }
        }
        return TestImages.jpeg(board, 0.9f, false);
    }

    @Test
    void exifOrientationIsAppliedAndTheTargetComesFromTheUprightOriginal() {
        byte[] jpeg = TestImages.insertSegment(TestImages.jpeg(TestImages.noisyPhoto(400, 240, 3), 0.9f, false),
                0xE1, TestImages.exifOrientation(6, false));
        LoadedImage loaded = turbo().decode(ImageSource.of(jpeg), 0.25);
        assertEquals(4, loaded.shrink());
        assertEquals(60, loaded.decoded().gray().width());
        assertEquals(100, loaded.decoded().gray().height());
        assertEquals(240, loaded.width());
        assertEquals(400, loaded.height());
        assertEquals(60, loaded.targetWidth());
        assertEquals(100, loaded.targetHeight());
        assertTrue(compare(jpeg, 0.25).meanAbsoluteDifference <= MAX_MEAN_ABSOLUTE_DIFFERENCE);
    }

    @Test
    void picksTheSmallestDctScaleThatStillCoversTheTarget() {
        ShrinkOnLoadDecoder decoder = turbo();
        byte[] jpeg = TestImages.jpeg(TestImages.noisyPhoto(1000, 600, 1), 0.9f, false);
        assertEquals(1, decoder.decode(ImageSource.of(jpeg), 0.6).shrink());
        assertEquals(2, decoder.decode(ImageSource.of(jpeg), 0.5).shrink());
        assertEquals(2, decoder.decode(ImageSource.of(jpeg), 0.3).shrink());  // 1/4 gives 250 < 300
        assertEquals(4, decoder.decode(ImageSource.of(jpeg), 0.25).shrink());
        assertEquals(8, decoder.decode(ImageSource.of(jpeg), 0.01).shrink());
        LoadedImage tiny = decoder.decode(ImageSource.of(jpeg), 0.01);
        assertEquals(125, tiny.decoded().gray().width());
        assertEquals(10, tiny.targetWidth());
        assertEquals(6, tiny.targetHeight());
    }

    @Test
    void theHeaderLimitsApplyToTheOriginalSizeBeforeDecoding() {
        turbo();
        ShrinkOnLoadDecoder small = new ShrinkOnLoadDecoder(new GrayscaleDecoder(new ImageLimits(10_000, 20_000)),
                new ImageLimits(10_000, 20_000), TurboJpeg.load(TurboJpeg.DEFAULT_LIBRARY, new StringBuilder()).orElseThrow());
        FrontException e = assertThrows(FrontException.class,
                () -> small.decode(ImageSource.of(TestImages.jpeg(400, 300)), 0.125));
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, e.code());
    }

    @Test
    void aTruncatedJpegGetsTheFullPathsAnswer() {
        byte[] truncated = TestImages.truncated(TestImages.jpeg(TestImages.noisyPhoto(600, 400, 2), 0.9f, false));
        FrontException e = assertThrows(FrontException.class, () -> turbo().decode(ImageSource.of(truncated), 0.25));
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, e.code());
    }

    @Test
    void withoutTheLibraryEveryJpegTakesTheImageIoPathAtFullSize() {
        ShrinkOnLoadDecoder decoder = ShrinkOnLoadDecoder.create(LIMITS, false, TurboJpegLibrary.load("libgraypipe-no-such-turbojpeg.so.0"));
        assertEquals("imageio", decoder.jpegDecoder());
        byte[] jpeg = TestImages.jpeg(TestImages.noisyPhoto(301, 200, 5), 0.9f, false);
        LoadedImage loaded = decoder.decode(ImageSource.of(jpeg), 0.25);
        assertEquals(1, loaded.shrink());
        assertArrayEquals(exactDecoder.decode(ImageSource.of(jpeg)).gray().data(), loaded.decoded().gray().data());
        assertEquals(75, loaded.targetWidth());
        assertEquals(50, loaded.targetHeight());
    }

    @Test
    void exactScalingTurnsShrinkOnLoadOff() {
        ShrinkOnLoadDecoder decoder = ShrinkOnLoadDecoder.create(LIMITS, true, TurboJpegLibrary.load(TurboJpeg.DEFAULT_LIBRARY));
        assertEquals("imageio", decoder.jpegDecoder());
        assertEquals(1, decoder.decode(ImageSource.of(TestImages.jpeg(400, 300)), 0.125).shrink());
    }

    private record Comparison(int shrink, double meanAbsoluteDifference, double exactMean, double shrunkMean,
                              int exactMaxDeviation, int shrunkMaxDeviation) {
    }

    /** Both paths scaled by the exact area average to the target size of the shrink-on-load result. */
    private Comparison compare(byte[] jpeg, double scale) {
        LoadedImage shrunk = turbo().decode(ImageSource.of(jpeg), scale);
        ImageData full = exactDecoder.decode(ImageSource.of(jpeg)).gray();
        assertEquals(ScaleRequest.targetSize(full.width(), scale), shrunk.targetWidth());
        assertEquals(ScaleRequest.targetSize(full.height(), scale), shrunk.targetHeight());
        int[] exact = areaAverage(full, shrunk.targetWidth(), shrunk.targetHeight());
        int[] fast = areaAverage(shrunk.decoded().gray(), shrunk.targetWidth(), shrunk.targetHeight());
        long difference = 0;
        long exactSum = 0;
        long fastSum = 0;
        for (int i = 0; i < exact.length; i++) {
            difference += Math.abs(exact[i] - fast[i]);
            exactSum += exact[i];
            fastSum += fast[i];
        }
        double exactMean = exactSum / (double) exact.length;
        double fastMean = fastSum / (double) fast.length;
        return new Comparison(shrunk.shrink(), difference / (double) exact.length, exactMean, fastMean,
                maxDeviation(exact, exactMean), maxDeviation(fast, fastMean));
    }

    private static int maxDeviation(int[] values, double mean) {
        int max = 0;
        for (int v : values) {
            max = Math.max(max, (int) Math.ceil(Math.abs(v - mean)));
        }
        return max;
    }

    /**
     * Reference area average in double precision: output pixel (x, y) is the mean of the source area
     * [x·w/ow, (x+1)·w/ow) × [y·h/oh, (y+1)·h/oh), partial pixels weighted by their covered fraction.
     */
    private static int[] areaAverage(ImageData src, int ow, int oh) {
        Coverage wx = Coverage.of(src.width(), ow);
        Coverage wy = Coverage.of(src.height(), oh);
        byte[] p = src.data();
        int[] out = new int[ow * oh];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double sum = 0;
                for (int j = 0; j < wy.weights[oy].length; j++) {
                    int row = (wy.first[oy] + j) * src.width() + wx.first[ox];
                    for (int i = 0; i < wx.weights[ox].length; i++) {
                        sum += wy.weights[oy][j] * wx.weights[ox][i] * (p[row + i] & 0xff);
                    }
                }
                out[oy * ow + ox] = (int) Math.floor(sum + 0.5);
            }
        }
        return out;
    }

    /** Output pixel o covers source pixels first[o] .. first[o] + weights[o].length - 1, with these shares. */
    private record Coverage(int[] first, double[][] weights) {
        static Coverage of(int n, int on) {
            int[] first = new int[on];
            double[][] weights = new double[on][];
            double step = n / (double) on;
            for (int o = 0; o < on; o++) {
                double from = o * step;
                double to = from + step;
                first[o] = (int) Math.floor(from);
                int last = (int) Math.min(n, Math.ceil(to - 1e-9));
                weights[o] = new double[last - first[o]];
                for (int s = first[o]; s < last; s++) {
                    weights[o][s - first[o]] = (Math.min(to, s + 1) - Math.max(from, s)) / step;
                }
            }
            return new Coverage(first, weights);
        }
    }
}
