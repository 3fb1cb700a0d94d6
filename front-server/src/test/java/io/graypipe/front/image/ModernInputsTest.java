package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.codec.Avif;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebP (TwelveMonkeys) and AVIF (libavif) uploads decode to BT.601 gray like the other formats: lossy, lossless
 * with alpha, an animated WebP's first frame; their headers meet the limits first; truncated files get the same
 * {@code undecodable_image}. The files are the fuzz seeds (made with cwebp, img2webp and avifenc from a 24 × 16
 * gradient: R = 10x, G = 15y, B = 255 − 10x; and an RGBA one: R = 200 left, 50 right, G = 100, B = 30, A = 17y).
 */
class ModernInputsTest {
    private static final ImageLimits LIMITS = new ImageLimits(50_000_000, 20_000);

    private static byte[] seed(String name) {
        try (InputStream in = ModernInputsTest.class.getResourceAsStream(
                "ImageFuzzTestInputs/decodeToGrayWithProductionLimits/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Avif avif() {
        Optional<Avif> avif = Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder());
        ExternalTools.require(avif.isPresent(), "GRAYPIPE_REQUIRE_AVIF_TOOLS",
                "libavif.so.15 is missing: install Debian's libavif15");
        return avif.orElseThrow();
    }

    private static int luma(int r, int g, int b) {
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }

    /** Largest difference from the 24 × 16 gradient's luma. */
    private static int gradientError(ImageData gray) {
        assertEquals(24, gray.width());
        assertEquals(16, gray.height());
        int worst = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                int v = gray.data()[(y * 24 + x) * gray.format().bytesPerPixel()] & 0xff;
                worst = Math.max(worst, Math.abs(v - luma(10 * x, 15 * y, 255 - 10 * x)));
            }
        }
        return worst;
    }

    /** Checks the RGBA seed exactly where it is not fully transparent: gray and alpha. */
    private static void assertRgbaSeed(ImageData gray, int tolerance) {
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        for (int y = 1; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                int i = (y * 24 + x) * 2;
                assertEquals(17 * y, gray.data()[i + 1] & 0xff, "alpha at " + x + "," + y);
                int expected = luma(x < 12 ? 200 : 50, 100, 30);
                assertTrue(Math.abs((gray.data()[i] & 0xff) - expected) <= tolerance, "gray at " + x + "," + y);
            }
        }
    }

    @Test
    void webpLossyLosslessAlphaAndAnimatedDecode() {
        GrayscaleDecoder decoder = new GrayscaleDecoder(LIMITS);
        DecodedImage lossy = decoder.decode(ImageSource.of(seed("webp-lossy")));
        assertEquals(ImageFormat.WEBP, lossy.sourceFormat());
        int error = gradientError(lossy.gray());
        assertTrue(error <= 12, "lossy WebP at quality 80 within 12 levels: " + error);
        assertRgbaSeed(decoder.decode(ImageSource.of(seed("webp-lossless-alpha"))).gray(), 0);
        ImageData first = decoder.decode(ImageSource.of(seed("webp-animated"))).gray();
        assertEquals(16, first.width());
        assertEquals(12, first.height());
        assertEquals(255, first.data()[0] & 0xff, "frame 1 is white where frame 2 is black");
        assertEquals(0, first.data()[(5 * 16 + 5) * first.format().bytesPerPixel()] & 0xff, "frame 1's black square");
    }

    @Test
    void avifDecodesThroughLibavif() {
        GrayscaleDecoder decoder = new GrayscaleDecoder(LIMITS, avif());
        DecodedImage rgb = decoder.decode(ImageSource.of(seed("avif-rgb")));
        assertEquals(ImageFormat.AVIF, rgb.sourceFormat());
        int error = gradientError(rgb.gray());
        assertTrue(error <= 12, "AVIF (avifenc defaults) within 12 levels: " + error);
        // 4:0:0 keeps only luma, computed by avifenc with the same BT.601 weights; alpha is lossless.
        assertRgbaSeed(decoder.decode(ImageSource.of(seed("avif-gray-alpha"))).gray(), 3);
    }

    @Test
    void headersMeetTheLimitsFirstAndTruncatedFilesAreUndecodable() {
        Avif avif = avif();
        GrayscaleDecoder tiny = new GrayscaleDecoder(new ImageLimits(100, 8), avif);
        GrayscaleDecoder decoder = new GrayscaleDecoder(LIMITS, avif);
        for (String name : new String[]{"webp-lossy", "webp-lossless-alpha", "webp-animated", "avif-rgb",
                "avif-gray-alpha"}) {
            FrontException tooLarge = assertThrows(FrontException.class,
                    () -> tiny.decode(ImageSource.of(seed(name))), name);
            assertEquals(ErrorCode.IMAGE_TOO_LARGE, tooLarge.code(), name + ": " + tooLarge.getMessage());
            FrontException truncated = assertThrows(FrontException.class,
                    () -> decoder.decode(ImageSource.of(TestImages.truncated(seed(name)))), name);
            assertEquals(ErrorCode.UNDECODABLE_IMAGE, truncated.code(), name + ": " + truncated.getMessage());
        }
    }

    @Test
    void withoutLibavifAnAvifUploadIsRefusedNamingThePackage() {
        FrontException e = assertThrows(FrontException.class,
                () -> new GrayscaleDecoder(LIMITS).decode(ImageSource.of(seed("avif-rgb"))));
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.code());
        assertTrue(e.getMessage().contains("libavif15"), e.getMessage());
    }
}
