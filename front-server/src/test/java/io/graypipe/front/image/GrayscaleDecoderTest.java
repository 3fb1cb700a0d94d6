package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrayscaleDecoderTest {
    private static final int[] PATCHES = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x000000, 0x808080,
            0xFFFF00, 0x00FFFF, 0xFF00FF, 0x123456, 0xC08040};

    private final GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(50_000_000, 20_000));

    private DecodedImage decode(byte[] bytes) {
        return decoder.decode(ImageSource.of(bytes));
    }

    private static int gray(ImageData image, int x, int y) {
        int bpp = image.format().bytesPerPixel();
        return image.data()[(y * image.width() + x) * bpp] & 0xff;
    }

    private static int alpha(ImageData image, int x, int y) {
        assertEquals(PixelFormat.GRAY_ALPHA8, image.format());
        return image.data()[(y * image.width() + x) * 2 + 1] & 0xff;
    }

    /** One 8×8 block per patch colour, side by side, so JPEG blocks stay flat. */
    private static BufferedImage patchStrip() {
        BufferedImage image = new BufferedImage(8 * PATCHES.length, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < PATCHES.length; i++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    image.setRGB(i * 8 + x, y, PATCHES[i]);
                }
            }
        }
        return image;
    }

    private static void assertPatches(ImageData gray, int tolerance) {
        for (int i = 0; i < PATCHES.length; i++) {
            int expected = TestImages.luma(PATCHES[i]);
            int actual = gray(gray, i * 8 + 4, 4);
            assertTrue(Math.abs(expected - actual) <= tolerance,
                    String.format("patch %06x: expected %d got %d", PATCHES[i], expected, actual));
        }
    }

    @Test
    void pngPatchesAreExactLuma() {
        DecodedImage decoded = decode(TestImages.write(patchStrip(), "png"));
        assertEquals(ImageFormat.PNG, decoded.sourceFormat());
        assertEquals(PixelFormat.GRAY8, decoded.gray().format());
        assertEquals(8 * PATCHES.length, decoded.gray().width());
        assertPatches(decoded.gray(), 0);
        assertEquals(76, gray(decoded.gray(), 4, 4));   // red
        assertEquals(150, gray(decoded.gray(), 12, 4)); // green
        assertEquals(29, gray(decoded.gray(), 20, 4));  // blue
    }

    @Test
    void bmpPatchesAreExactLuma() {
        DecodedImage decoded = decode(TestImages.write(patchStrip(), "bmp"));
        assertEquals(ImageFormat.BMP, decoded.sourceFormat());
        assertPatches(decoded.gray(), 0);
    }

    @Test
    void baselineJpegPatches() {
        DecodedImage decoded = decode(TestImages.jpeg(patchStrip(), 1.0f, false));
        assertEquals(ImageFormat.JPEG, decoded.sourceFormat());
        assertEquals(PixelFormat.GRAY8, decoded.gray().format());
        assertPatches(decoded.gray(), 3);
    }

    @Test
    void progressiveJpegPatches() {
        byte[] jpeg = TestImages.jpeg(patchStrip(), 1.0f, true);
        assertTrue(containsMarker(jpeg, 0xC2), "fixture must be progressive");
        assertPatches(decode(jpeg).gray(), 3);
    }

    @Test
    void grayscaleJpeg() {
        BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                raster.setSample(x, y, 0, x < 16 ? 40 : 200);
            }
        }
        DecodedImage decoded = decode(TestImages.jpeg(image, 1.0f, false));
        assertTrue(Math.abs(gray(decoded.gray(), 4, 4) - 40) <= 1);
        assertTrue(Math.abs(gray(decoded.gray(), 28, 4) - 200) <= 1);
    }

    @Test
    void jpegFastPathMatchesRgbLumaPath() {
        // Channels kept inside 24..224: where the RGB decode has to clamp out-of-gamut YCbCr (saturated
        // corners), its luma legitimately drifts further from Y, and the fast path is the more faithful one.
        BufferedImage photo = TestImages.photo(160, 120);
        byte[] pixels = ((java.awt.image.DataBufferByte) photo.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (24 + (pixels[i] & 0xff) * 200 / 255);
        }
        byte[] jpeg = TestImages.jpeg(photo, 0.9f, false);
        ImageData fast = decode(jpeg).gray();
        // The general path: decode to RGB, then BT.601 luma.
        ImageData viaRgb = RasterToGray.convert(TestImages.readRgb(jpeg));
        int maxDiff = 0;
        int over2 = 0;
        for (int i = 0; i < fast.data().length; i++) {
            int diff = Math.abs((fast.data()[i] & 0xff) - (viaRgb.data()[i] & 0xff));
            maxDiff = Math.max(maxDiff, diff);
            over2 += diff > 2 ? 1 : 0;
        }
        assertTrue(maxDiff <= 2, "fast path differs from RGB path by " + maxDiff + " at " + over2 + " pixels");
    }

    @Test
    void png16BitReducedWithRounding() {
        BufferedImage image = TestImages.rgb16(3, 1, false);
        WritableRaster r = image.getRaster();
        r.setPixel(0, 0, new int[]{65535, 0, 0});
        r.setPixel(1, 0, new int[]{128 * 257, 128 * 257, 128 * 257});
        r.setPixel(2, 0, new int[]{129, 129, 129}); // 0.502 -> 1
        DecodedImage decoded = decode(TestImages.write(image, "png"));
        assertEquals(PixelFormat.GRAY8, decoded.gray().format());
        assertEquals(76, gray(decoded.gray(), 0, 0));
        assertEquals(128, gray(decoded.gray(), 1, 0));
        assertEquals(1, gray(decoded.gray(), 2, 0));
    }

    @Test
    void png16BitGrayAlpha() {
        BufferedImage image = TestImages.grayAlpha(2, 1, 16);
        image.getRaster().setPixel(0, 0, new int[]{65535, 0});
        image.getRaster().setPixel(1, 0, new int[]{100 * 257, 200 * 257});
        ImageData gray = decode(TestImages.write(image, "png")).gray();
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(255, gray(gray, 0, 0));
        assertEquals(0, alpha(gray, 0, 0));
        assertEquals(100, gray(gray, 1, 0));
        assertEquals(200, alpha(gray, 1, 0));
    }

    @Test
    void palettedPng() {
        BufferedImage image = TestImages.indexed(4, 1, new int[]{0xFF0000, 0x00FF00, 0x0000FF, 0x808080}, -1);
        for (int x = 0; x < 4; x++) {
            image.getRaster().setSample(x, 0, 0, x);
        }
        ImageData gray = decode(TestImages.write(image, "png")).gray();
        assertEquals(PixelFormat.GRAY8, gray.format());
        assertEquals(76, gray(gray, 0, 0));
        assertEquals(150, gray(gray, 1, 0));
        assertEquals(29, gray(gray, 2, 0));
        assertEquals(128, gray(gray, 3, 0));
    }

    @Test
    void grayPng() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(0, 0, 0, 17);
        image.getRaster().setSample(1, 0, 0, 230);
        ImageData gray = decode(TestImages.write(image, "png")).gray();
        assertEquals(PixelFormat.GRAY8, gray.format());
        assertEquals(17, gray(gray, 0, 0)); // stored values, not Java's "linear gray" reinterpretation
        assertEquals(230, gray(gray, 1, 0));
    }

    @Test
    void grayAlphaPngKeepsAlpha() {
        BufferedImage image = TestImages.grayAlpha(2, 1, 8);
        image.getRaster().setPixel(0, 0, new int[]{50, 0});
        image.getRaster().setPixel(1, 0, new int[]{220, 128});
        ImageData gray = decode(TestImages.write(image, "png")).gray();
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(50, gray(gray, 0, 0));
        assertEquals(0, alpha(gray, 0, 0));
        assertEquals(220, gray(gray, 1, 0));
        assertEquals(128, alpha(gray, 1, 0));
    }

    @Test
    void rgbaPngKeepsAlpha() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        image.getRaster().setPixel(0, 0, new int[]{255, 0, 0, 64});
        image.getRaster().setPixel(1, 0, new int[]{0, 0, 255, 255});
        ImageData gray = decode(TestImages.write(image, "png")).gray();
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(76, gray(gray, 0, 0));
        assertEquals(64, alpha(gray, 0, 0));
        assertEquals(29, gray(gray, 1, 0));
        assertEquals(255, alpha(gray, 1, 0));
    }

    @Test
    void gifFirstFrameWithTransparency() {
        BufferedImage image = TestImages.indexed(8, 4, new int[]{0x000000, 0xFF0000, 0xFFFFFF, 0x00FF00}, 0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                image.getRaster().setSample(x, y, 0, y == 0 ? Math.min(x, 2) : 3);
            }
        }
        DecodedImage decoded = decode(TestImages.write(image, "gif"));
        assertEquals(ImageFormat.GIF, decoded.sourceFormat());
        ImageData gray = decoded.gray();
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(0, alpha(gray, 0, 0));
        assertEquals(255, alpha(gray, 1, 0));
        assertEquals(76, gray(gray, 1, 0));
        assertEquals(255, gray(gray, 2, 0));
        assertEquals(150, gray(gray, 0, 1));
    }

    @Test
    void gifWithoutTransparencyIsOpaqueGray() {
        BufferedImage image = TestImages.indexed(2, 1, new int[]{0x0000FF, 0xFFFFFF}, -1);
        image.getRaster().setSample(0, 0, 0, 0);
        image.getRaster().setSample(1, 0, 0, 1);
        ImageData gray = decode(TestImages.write(image, "gif")).gray();
        assertEquals(PixelFormat.GRAY8, gray.format());
        assertEquals(29, gray(gray, 0, 0));
        assertEquals(255, gray(gray, 1, 0));
    }

    /** For orientation o, the stored corner that must end up top-left (EXIF 2.3, table of Orientation). */
    private static int[] storedCornerForTopLeft(int o, int w, int h) {
        return switch (o) {
            case 1, 5 -> new int[]{0, 0};
            case 2, 8 -> new int[]{w - 1, 0};
            case 3, 7 -> new int[]{w - 1, h - 1};
            default -> new int[]{0, h - 1}; // 4, 6
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationPutsTheMarkedCornerTopLeft(int orientation) {
        int w = 64;
        int h = 32;
        int[] corner = storedCornerForTopLeft(orientation, w, h);
        BufferedImage image = TestImages.solid(w, h, 0xFFFFFF);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(corner[0] == 0 ? x : w - 1 - x, corner[1] == 0 ? y : h - 1 - y, 0x000000);
            }
        }
        byte[] jpeg = TestImages.insertSegment(TestImages.jpeg(image, 0.95f, false), 0xE1,
                TestImages.exifOrientation(orientation, orientation % 2 == 0));
        DecodedImage decoded = decode(jpeg);
        assertEquals(w, decoded.sourceWidth());
        assertEquals(h, decoded.sourceHeight());
        ImageData gray = decoded.gray();
        boolean swap = orientation >= 5;
        assertEquals(swap ? h : w, gray.width());
        assertEquals(swap ? w : h, gray.height());
        int ow = gray.width();
        int oh = gray.height();
        assertTrue(gray(gray, 2, 2) < 20, "top-left must be the marked corner");
        assertTrue(gray(gray, ow - 3, 2) > 235, "top-right must be white");
        assertTrue(gray(gray, 2, oh - 3) > 235, "bottom-left must be white");
        assertTrue(gray(gray, ow - 3, oh - 3) > 235, "bottom-right must be white");
    }

    @Test
    void orientationIsExactOnPixels() {
        // Pure index check of the transform, independent of JPEG: a 3×2 image with distinct values.
        byte[] data = {1, 2, 3, 4, 5, 6};
        ImageData src = new ImageData(PixelFormat.GRAY8, 3, 2, data);
        assertSame(src, Orientation.apply(src, 1));
        assertArrayEquals(new byte[]{3, 2, 1, 6, 5, 4}, Orientation.apply(src, 2));
        assertArrayEquals(new byte[]{6, 5, 4, 3, 2, 1}, Orientation.apply(src, 3));
        assertArrayEquals(new byte[]{4, 5, 6, 1, 2, 3}, Orientation.apply(src, 4));
        assertArrayEquals(new byte[]{1, 4, 2, 5, 3, 6}, Orientation.apply(src, 5));
        assertArrayEquals(new byte[]{4, 1, 5, 2, 6, 3}, Orientation.apply(src, 6));
        assertArrayEquals(new byte[]{6, 3, 5, 2, 4, 1}, Orientation.apply(src, 7));
        assertArrayEquals(new byte[]{3, 6, 2, 5, 1, 4}, Orientation.apply(src, 8));
        ImageData ga = new ImageData(PixelFormat.GRAY_ALPHA8, 2, 1, new byte[]{1, 11, 2, 12});
        ImageData rotated = Orientation.apply(ga, 6);
        assertEquals(1, rotated.width());
        assertEquals(2, rotated.height());
        assertEquals("[1, 11, 2, 12]", Arrays.toString(rotated.data()));
    }

    private static void assertArrayEquals(byte[] expected, ImageData actual) {
        assertEquals(Arrays.toString(expected), Arrays.toString(actual.data()));
    }

    /** Stored ink values (0 = no ink) to an Adobe-style inverted 4-band raster. */
    private static Raster cmykRaster(int w, int h, int c, int m, int y, int k, boolean ycck) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        int ic = 255 - c;
        int im = 255 - m;
        int iy = 255 - y;
        int ik = 255 - k;
        int[] px;
        if (ycck) {
            // Adobe YCCK: C, M, Y go through the JFIF RGB -> YCbCr transform; K is stored inverted.
            // Decoders compute stored CMY as 255 - RGB(YCC), so the YCC encodes the ink values themselves.
            double yy = 0.299 * c + 0.587 * m + 0.114 * y;
            double cb = 128 - 0.168736 * c - 0.331264 * m + 0.5 * y;
            double cr = 128 + 0.5 * c - 0.418688 * m - 0.081312 * y;
            px = new int[]{(int) Math.round(yy), (int) Math.round(cb), (int) Math.round(cr), ik};
        } else {
            px = new int[]{ic, im, iy, ik};
        }
        for (int yy = 0; yy < h; yy++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, yy, px);
            }
        }
        return raster;
    }

    private static byte[] adobe(int transform) {
        byte[] b = new byte[12];
        System.arraycopy("Adobe".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 5);
        b[5] = 0;
        b[6] = 100;
        b[11] = (byte) transform;
        return b;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void adobeCmykAndYcckAreNotInverted(boolean ycck) {
        byte[] light = TestImages.insertSegment(TestImages.jpegRaster(cmykRaster(16, 16, 10, 10, 10, 10, ycck), 0.95f),
                0xEE, adobe(ycck ? 2 : 0));
        byte[] dark = TestImages.insertSegment(TestImages.jpegRaster(cmykRaster(16, 16, 0, 0, 0, 220, ycck), 0.95f),
                0xEE, adobe(ycck ? 2 : 0));
        int lightGray = gray(decode(light).gray(), 8, 8);
        int darkGray = gray(decode(dark).gray(), 8, 8);
        assertTrue(lightGray > 200, "light CMYK patch came out " + lightGray);
        assertTrue(darkGray < 90, "dark CMYK patch came out " + darkGray);
    }

    @Test
    void cmykWithEmbeddedProfileIsNotInverted() {
        byte[] profile = TestImages.simpleCmykProfile();
        for (int[] ink : new int[][]{{10, 10, 10, 10}, {0, 0, 0, 220}}) {
            byte[] jpeg = TestImages.jpegRaster(cmykRaster(16, 16, ink[0], ink[1], ink[2], ink[3], false), 0.95f);
            jpeg = TestImages.insertSegment(jpeg, 0xEE, adobe(0));
            jpeg = TestImages.insertSegment(jpeg, 0xE2, TestImages.iccSegment(profile));
            int g = gray(decode(jpeg).gray(), 8, 8);
            if (ink[3] == 10) {
                assertTrue(g > 200, "light CMYK patch with profile came out " + g);
            } else {
                assertTrue(g < 90, "dark CMYK patch with profile came out " + g);
            }
        }
    }

    @Test
    void embeddedLinearRgbProfileIsHonoured() {
        // Stored 128 in a linear-light RGB space is about 188 in sRGB; ignoring the profile would give 128.
        byte[] jpeg = TestImages.jpeg(TestImages.solid(16, 16, 0x808080), 1.0f, false);
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] tagged = TestImages.insertSegment(jpeg, 0xE2, TestImages.iccSegment(linear));
        int plain = gray(decode(jpeg).gray(), 8, 8);
        int honoured = gray(decode(tagged).gray(), 8, 8);
        assertTrue(Math.abs(plain - 128) <= 1, "untagged " + plain);
        assertTrue(Math.abs(honoured - 188) <= 4, "linear-RGB tagged came out " + honoured);
    }

    @Test
    void embeddedSrgbProfileKeepsValues() {
        byte[] jpeg = TestImages.jpeg(patchStrip(), 1.0f, false);
        byte[] srgb = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        assertPatches(decode(TestImages.insertSegment(jpeg, 0xE2, TestImages.iccSegment(srgb))).gray(), 3);
    }

    @Test
    void pngBombRejectedFromHeader() {
        byte[] bomb = TestImages.pngBomb(16384, 16384, 32 * 1024);
        assertTrue(bomb.length < 40 * 1024);
        long start = System.nanoTime();
        FrontException e = assertThrows(FrontException.class, () -> decode(bomb));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("16384x16384"), e.getMessage());
        assertTrue(millis < 1000, "took " + millis + " ms");
    }

    @Test
    void smallLimitsRejectOrdinaryImages() {
        GrayscaleDecoder strict = new GrayscaleDecoder(new ImageLimits(100, 50));
        byte[] png = TestImages.write(TestImages.solid(60, 1, 0), "png");
        assertEquals(ErrorCode.IMAGE_TOO_LARGE,
                assertThrows(FrontException.class, () -> strict.decode(ImageSource.of(png))).code());
        byte[] squarePng = TestImages.write(TestImages.solid(11, 10, 0), "png");
        assertEquals(ErrorCode.IMAGE_TOO_LARGE,
                assertThrows(FrontException.class, () -> strict.decode(ImageSource.of(squarePng))).code());
        byte[] ok = TestImages.write(TestImages.solid(10, 10, 0), "png");
        assertEquals(10, strict.decode(ImageSource.of(ok)).gray().width());
    }

    @Test
    void hugeJpegHeaderRejected() {
        byte[] jpeg = TestImages.patchJpegSize(TestImages.jpeg(TestImages.solid(16, 16, 0x808080), 0.9f, false),
                64000, 64000);
        long start = System.nanoTime();
        FrontException e = assertThrows(FrontException.class, () -> decode(jpeg));
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, e.code());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1000);
    }

    @Test
    void truncatedJpegIsUndecodable() {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(256, 256), 0.9f, false);
        for (int keep : new int[]{jpeg.length / 2, jpeg.length - 10, 200, 20, 4}) {
            byte[] cut = Arrays.copyOf(jpeg, keep);
            FrontException e = assertThrows(FrontException.class, () -> decode(cut), "kept " + keep);
            assertEquals(ErrorCode.UNDECODABLE_IMAGE, e.code(), "kept " + keep + ": " + e.getMessage());
        }
    }

    @Test
    void truncatedProgressiveJpegIsUndecodable() {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(256, 256), 0.9f, true);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, assertThrows(FrontException.class, () -> decode(cut)).code());
    }

    @Test
    void truncatedPngIsUndecodable() {
        byte[] png = TestImages.write(TestImages.photo(128, 128), "png");
        for (int keep : new int[]{png.length / 2, png.length - 20, 30, 9}) {
            byte[] cut = Arrays.copyOf(png, keep);
            FrontException e = assertThrows(FrontException.class, () -> decode(cut), "kept " + keep);
            assertEquals(ErrorCode.UNDECODABLE_IMAGE, e.code(), "kept " + keep + ": " + e.getMessage());
        }
    }

    @Test
    void corruptPngCrcIsUndecodable() {
        byte[] png = TestImages.write(TestImages.photo(64, 64), "png");
        byte[] bad = png.clone();
        bad[bad.length / 2] ^= 0x55;
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, assertThrows(FrontException.class, () -> decode(bad)).code());
    }

    @Test
    void randomBytesAreUnsupported() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[0] = 0x12;
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                assertThrows(FrontException.class, () -> decode(random)).code());
    }

    @Test
    void textAndPdfAreUnsupported() {
        for (String text : new String[]{"hello, world\n", "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n", "<svg></svg>", "B"}) {
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            FrontException e = assertThrows(FrontException.class, () -> decode(bytes));
            assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.code(), text);
        }
    }

    @Test
    void emptyIsEmptyImage() {
        assertEquals(ErrorCode.EMPTY_IMAGE, assertThrows(FrontException.class, () -> decode(new byte[0])).code());
    }

    @Test
    void magicBytesWinOverAnythingElse() {
        byte[] bmpHeaderGarbage = "BM this is not really a bitmap".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(ErrorCode.UNDECODABLE_IMAGE,
                assertThrows(FrontException.class, () -> decode(bmpHeaderGarbage)).code());
        byte[] jpegGarbage = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5};
        assertEquals(ErrorCode.UNDECODABLE_IMAGE,
                assertThrows(FrontException.class, () -> decode(jpegGarbage)).code());
    }

    @Test
    void decodesFromFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("upload.bin");
        Files.write(file, TestImages.jpeg(patchStrip(), 1.0f, false));
        DecodedImage decoded = decoder.decode(ImageSource.of(file));
        assertEquals(ImageFormat.JPEG, decoded.sourceFormat());
        assertPatches(decoded.gray(), 3);
        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        assertEquals(ErrorCode.EMPTY_IMAGE,
                assertThrows(FrontException.class, () -> decoder.decode(ImageSource.of(empty))).code());
    }

    private static boolean containsMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == marker) {
                return true;
            }
        }
        return false;
    }
}
