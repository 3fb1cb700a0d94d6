package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PNG colour chunks: an iCCP profile is honoured (converted to sRGB before luma), an sRGB chunk means no
 * conversion, and a gAMA chunk alone is applied when it is not the usual 1/2.2. Expected values come from the
 * colour science written out here, independently of the ICC engine the decoder uses.
 */
class PngColourTest {
    private static final int[] PATCHES = {0x808080, 0x404040, 0xC0C0C0, 0x4080C0, 0xC08040, 0x20A060,
            0xB03070, 0x000000, 0xFFFFFF};

    /** D50-adapted colorants (XYZ of R, G, B), as in the published profiles. */
    private static final double[][] SRGB_D50 = {
            {0.43607, 0.22249, 0.01392}, {0.38515, 0.71687, 0.09708}, {0.14307, 0.06061, 0.71410}};
    private static final double[][] ADOBE_RGB_D50 = {
            {0.60974, 0.31111, 0.01947}, {0.20528, 0.62567, 0.06087}, {0.14919, 0.06322, 0.74457}};
    private static final double ADOBE_GAMMA = 563 / 256.0;

    private final GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(50_000_000, 20_000));

    private ImageData decode(byte[] png) {
        return decoder.decode(ImageSource.of(png)).gray();
    }

    private static int gray(ImageData image, int x) {
        return image.data()[x * image.format().bytesPerPixel()] & 0xff;
    }

    private static BufferedImage strip(int[] rgbs) {
        BufferedImage image = new BufferedImage(rgbs.length, 1, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < rgbs.length; i++) {
            image.setRGB(i, 0, rgbs[i]);
        }
        return image;
    }

    private static byte[] plainPng(BufferedImage image) {
        byte[] png = ContainerFixtures.write(image, "png");
        for (String colourChunk : new String[]{"iCCP", "sRGB", "gAMA", "cHRM"}) {
            assertFalse(ContainerFixtures.hasChunk(png, colourChunk), "fixture already has " + colourChunk);
        }
        return png;
    }

    private static double srgbEncode(double linear) {
        double l = Math.max(0, Math.min(1, linear));
        return l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
    }

    private static int luma(double r, double g, double b) {
        return (int) Math.round(0.299 * r * 255 + 0.587 * g * 255 + 0.114 * b * 255);
    }

    /** Gray of an 8-bit RGB stored with {@code colorants} and a pure-gamma curve, via XYZ (D50) into sRGB. */
    private static int expectedGray(int rgb, double[][] colorants, double gamma) {
        double[] lin = new double[3];
        for (int c = 0; c < 3; c++) {
            lin[c] = Math.pow(((rgb >> (16 - 8 * c)) & 0xff) / 255.0, gamma);
        }
        double[] xyz = new double[3];
        for (int j = 0; j < 3; j++) {
            xyz[j] = colorants[0][j] * lin[0] + colorants[1][j] * lin[1] + colorants[2][j] * lin[2];
        }
        double[] srgbLinear = solve(SRGB_D50, xyz);
        return luma(srgbEncode(srgbLinear[0]), srgbEncode(srgbLinear[1]), srgbEncode(srgbLinear[2]));
    }

    /** Solves sum_i m[i][j] * x[i] = y[j] (Cramer's rule). */
    private static double[] solve(double[][] m, double[] y) {
        double det = det(m[0], m[1], m[2]);
        return new double[]{det(y, m[1], m[2]) / det, det(m[0], y, m[2]) / det, det(m[0], m[1], y) / det};
    }

    private static double det(double[] a, double[] b, double[] c) {
        return a[0] * (b[1] * c[2] - b[2] * c[1]) - b[0] * (a[1] * c[2] - a[2] * c[1])
                + c[0] * (a[1] * b[2] - a[2] * b[1]);
    }

    private static void assertStrip(ImageData gray, int[] rgbs, IntUnaryOperator expected, int tolerance) {
        boolean profileMatters = false;
        for (int i = 0; i < rgbs.length; i++) {
            int want = expected.applyAsInt(rgbs[i]);
            int naive = Luma.of((rgbs[i] >> 16) & 0xff, (rgbs[i] >> 8) & 0xff, rgbs[i] & 0xff);
            profileMatters |= Math.abs(want - naive) > 2 * tolerance;
            int got = gray(gray, i);
            assertTrue(Math.abs(got - want) <= tolerance,
                    String.format("patch %06x: expected %d (naive %d) got %d", rgbs[i], want, naive, got));
        }
        assertTrue(profileMatters, "fixture must make the profile visible");
    }

    @Test
    void linearRgbIccpIsConvertedToSrgb() {
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.iccp(linear));
        ImageData gray = decode(png);
        assertEquals(PixelFormat.GRAY8, gray.format());
        assertStrip(gray, PATCHES, rgb -> expectedGray(rgb, SRGB_D50, 1.0), 2);
        assertEquals(188, gray(gray, 0), 2); // linear 128 is sRGB 188
    }

    @Test
    void wideGamutIccpIsConvertedToSrgb() {
        byte[] adobe = ContainerFixtures.rgbProfile(ADOBE_RGB_D50, ADOBE_GAMMA);
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.iccp(adobe));
        assertStrip(decode(png), PATCHES, rgb -> expectedGray(rgb, ADOBE_RGB_D50, ADOBE_GAMMA), 2);
    }

    @Test
    void srgbIccpKeepsStoredValues() {
        byte[] srgb = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.iccp(srgb));
        ImageData gray = decode(png);
        for (int i = 0; i < PATCHES.length; i++) {
            assertEquals(exactLuma(PATCHES[i]), gray(gray, i), String.format("patch %06x", PATCHES[i]));
        }
    }

    @Test
    void srgbChunkMeansNoConversionEvenWithLinearGama() {
        // The sRGB chunk outranks gAMA (PNG spec 11.3.2.5), so the linear gAMA beside it must not be applied.
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.srgb(),
                ContainerFixtures.gama(100000));
        ImageData gray = decode(png);
        for (int i = 0; i < PATCHES.length; i++) {
            assertEquals(exactLuma(PATCHES[i]), gray(gray, i), String.format("patch %06x", PATCHES[i]));
        }
    }

    @Test
    void usualGamaKeepsStoredValues() {
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.gama(45455));
        ImageData gray = decode(png);
        for (int i = 0; i < PATCHES.length; i++) {
            assertEquals(exactLuma(PATCHES[i]), gray(gray, i), String.format("patch %06x", PATCHES[i]));
        }
    }

    @Test
    void linearGamaIsApplied() {
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.gama(100000));
        assertStrip(decode(png), PATCHES, rgb -> expectedGray(rgb, SRGB_D50, 1.0), 1);
    }

    @Test
    void iccpOutranksGama() {
        byte[] srgb = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(strip(PATCHES)), ContainerFixtures.gama(100000),
                ContainerFixtures.iccp(srgb));
        assertEquals(128, gray(decode(png), 0));
    }

    @Test
    void sixteenBitRgbWithLinearIccp() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[]{16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage image = new BufferedImage(cm, cm.createCompatibleWritableRaster(PATCHES.length, 1), false, null);
        for (int i = 0; i < PATCHES.length; i++) {
            int rgb = PATCHES[i];
            image.getRaster().setPixel(i, 0, new int[]{((rgb >> 16) & 0xff) * 257, ((rgb >> 8) & 0xff) * 257,
                    (rgb & 0xff) * 257});
        }
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] png = ContainerFixtures.insertAfterIhdr(plainPng(image), ContainerFixtures.iccp(linear));
        assertStrip(decode(png), PATCHES, rgb -> expectedGray(rgb, SRGB_D50, 1.0), 2);
    }

    @Test
    void rgbaWithLinearIccpKeepsAlpha() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        image.getRaster().setPixel(0, 0, new int[]{128, 128, 128, 40});
        image.getRaster().setPixel(1, 0, new int[]{64, 64, 64, 255});
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        ImageData gray = decode(ContainerFixtures.insertAfterIhdr(plainPng(image), ContainerFixtures.iccp(linear)));
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(188, gray(gray, 0), 2);
        assertEquals(40, gray.data()[1] & 0xff);
        assertEquals(137, gray(gray, 1), 2); // linear 64/255 is sRGB 137
        assertEquals(255, gray.data()[3] & 0xff);
    }

    @Test
    void palettedWithLinearIccpConvertsThePaletteAndKeepsTrnsAlpha() {
        byte[] r = {(byte) 128, 64, (byte) 0xC0};
        byte[] g = {(byte) 128, (byte) 128, (byte) 0x80};
        byte[] b = {(byte) 128, (byte) 192, (byte) 0x40};
        byte[] a = {(byte) 255, 100, (byte) 255};
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 3, r, g, b, a));
        for (int x = 0; x < 3; x++) {
            image.getRaster().setSample(x, 0, 0, x);
        }
        byte[] plain = plainPng(image);
        assertTrue(ContainerFixtures.hasChunk(plain, "tRNS"));
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        ImageData gray = decode(ContainerFixtures.insertAfterIhdr(plain, ContainerFixtures.iccp(linear)));
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        int[] rgbs = {0x808080, 0x4080C0, 0xC08040};
        for (int x = 0; x < 3; x++) {
            assertEquals(expectedGray(rgbs[x], SRGB_D50, 1.0), gray(gray, x), 2, "index " + x);
            assertEquals(a[x] & 0xff, gray.data()[2 * x + 1] & 0xff, "alpha of index " + x);
        }
    }

    @Test
    void grayWithLinearGrayIccpIsConverted() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] stored = {128, 64, 250};
        image.getRaster().setPixels(0, 0, 3, 1, stored);
        byte[] linearGray = ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData();
        ImageData gray = decode(ContainerFixtures.insertAfterIhdr(plainPng(image), ContainerFixtures.iccp(linearGray)));
        for (int x = 0; x < 3; x++) {
            int want = (int) Math.round(srgbEncode(stored[x] / 255.0) * 255);
            assertEquals(want, gray(gray, x), 2, "stored " + stored[x]);
        }
    }

    @Test
    void sixteenBitGrayWithLinearGama() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setPixels(0, 0, 2, 1, new int[]{32768, 4096});
        ImageData gray = decode(ContainerFixtures.insertAfterIhdr(plainPng(image), ContainerFixtures.gama(100000)));
        assertEquals((int) Math.round(srgbEncode(32768 / 65535.0) * 255), gray(gray, 0), 1);
        assertEquals((int) Math.round(srgbEncode(4096 / 65535.0) * 255), gray(gray, 1), 1);
    }

    @Test
    void unusableIccpIsIgnored() {
        byte[] png = plainPng(strip(PATCHES));
        byte[] notZlib = ContainerFixtures.chunk("iCCP", "p\0\0this is not zlib".getBytes());
        byte[] notAProfile = ContainerFixtures.iccp("not an ICC profile at all".getBytes());
        byte[] grayProfileOnRgb = ContainerFixtures.iccp(ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData());
        // A zlib bomb: 64 MiB of zeros in about 64 KiB; the decoder must stop inflating it early.
        byte[] bomb = ContainerFixtures.iccp(new byte[64 << 20]);
        assertTrue(bomb.length < 100_000);
        for (byte[] iccp : new byte[][]{notZlib, notAProfile, grayProfileOnRgb, bomb}) {
            ImageData gray = decode(ContainerFixtures.insertAfterIhdr(png, iccp));
            int[] got = new int[PATCHES.length];
            int[] want = new int[PATCHES.length];
            for (int i = 0; i < PATCHES.length; i++) {
                got[i] = gray(gray, i);
                want[i] = exactLuma(PATCHES[i]);
            }
            assertArrayEquals(want, got, Arrays.toString(got));
        }
    }

    /** Exact BT.601 luma of an sRGB colour, as the decoder defines it. */
    private static int exactLuma(int rgb) {
        return (299 * ((rgb >> 16) & 0xff) + 587 * ((rgb >> 8) & 0xff) + 114 * (rgb & 0xff) + 500) / 1000;
    }
}
