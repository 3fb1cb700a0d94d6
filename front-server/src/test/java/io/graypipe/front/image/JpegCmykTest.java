package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adobe CMYK and YCCK JPEGs, pixel by pixel: with an embedded CMYK profile the gray follows that profile (the
 * expected values come from the profile's own definition, not from a colour engine); without one, ink still
 * darkens and paper stays white, so nothing comes out inverted or washed out.
 */
class JpegCmykTest {
    private final GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(50_000_000, 20_000));

    private int centreGray(byte[] jpeg) {
        ImageData gray = decoder.decode(ImageSource.of(jpeg)).gray();
        assertEquals(16, gray.width());
        return gray.data()[8 * 16 + 8] & 0xff;
    }

    /**
     * A flat 16×16 patch of ink values (0 = none) stored as Adobe writers do: CMYK inverted; for YCCK, C, M, Y
     * through the JFIF RGB to YCbCr transform (decoders take stored CMY as 255 minus the RGB of the YCC, so the
     * YCC carries the ink values) and K inverted.
     */
    private static byte[] adobeJpeg(int c, int m, int y, int k, boolean ycck, byte[] profile) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        int[] px = ycck
                ? new int[]{byteOf(0.299 * c + 0.587 * m + 0.114 * y), byteOf(128 - 0.168736 * c - 0.331264 * m + 0.5 * y),
                        byteOf(128 + 0.5 * c - 0.418688 * m - 0.081312 * y), 255 - k}
                : new int[]{255 - c, 255 - m, 255 - y, 255 - k};
        for (int row = 0; row < 16; row++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, row, px);
            }
        }
        byte[] jpeg = ContainerFixtures.jpegSegment(ContainerFixtures.jpegRaster(raster), 0xEE,
                ContainerFixtures.adobe(ycck ? 2 : 0));
        return profile == null ? jpeg : ContainerFixtures.jpegSegment(jpeg, 0xE2, ContainerFixtures.iccSegment(profile));
    }

    private static int byteOf(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** sRGB gray of a neutral CIE L*. */
    private static int grayOfLightness(double lightness) {
        double y = lightness > 8 ? Math.pow((lightness + 16) / 116, 3) : lightness / 903.3;
        double encoded = y <= 0.0031308 ? 12.92 * y : 1.055 * Math.pow(y, 1 / 2.4) - 0.055;
        return (int) Math.round(encoded * 255);
    }

    /** What ignoring a profile gives: RGB = (255 - ink) scaled by (255 - K), then luma. */
    private static int naiveGray(int c, int m, int y, int k) {
        int r = (255 - c) * (255 - k) / 255;
        int g = (255 - m) * (255 - k) / 255;
        int b = (255 - y) * (255 - k) / 255;
        return Luma.of(r, g, b);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void embeddedCmykProfileIsHonoured(boolean ycck) {
        byte[] profile = ContainerFixtures.cmykProfile();
        // Single inks only: along those edges the profile's grid is exact (see ContainerFixtures.cmykLightness).
        int[][] inks = {{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 0, 255}, {0, 0, 0, 128}, {128, 0, 0, 0}};
        for (int[] ink : inks) {
            int want = grayOfLightness(ContainerFixtures.cmykLightness(ink[0] / 255.0, ink[1] / 255.0,
                    ink[2] / 255.0, ink[3] / 255.0));
            int got = centreGray(adobeJpeg(ink[0], ink[1], ink[2], ink[3], ycck, profile));
            assertTrue(Math.abs(got - want) <= 3, String.format("ink %s: expected %d (naive %d) got %d",
                    java.util.Arrays.toString(ink), want, naiveGray(ink[0], ink[1], ink[2], ink[3]), got));
        }
        // The fixture must tell the two apart: full cyan is 131 through the profile and 179 without it.
        assertTrue(naiveGray(255, 0, 0, 0) - grayOfLightness(ContainerFixtures.cmykLightness(1, 0, 0, 0)) > 40);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void withoutProfileInkDarkensAndPaperStaysWhite(boolean ycck) {
        assertTrue(centreGray(adobeJpeg(0, 0, 0, 0, ycck, null)) >= 250, "no ink must be white");
        assertTrue(centreGray(adobeJpeg(10, 10, 10, 10, ycck, null)) > 200, "a light tint must stay light");
        int richBlack = centreGray(adobeJpeg(200, 200, 200, 0, ycck, null));
        assertTrue(richBlack < 90, "heavy CMY without K came out " + richBlack);
        int black = centreGray(adobeJpeg(0, 0, 0, 255, ycck, null));
        assertTrue(black < 10, "full K came out " + black);
        int half = centreGray(adobeJpeg(0, 0, 0, 128, ycck, null));
        assertEquals(naiveGray(0, 0, 0, 128), half, 3);
    }
}
