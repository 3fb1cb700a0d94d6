package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.worker.ScaleJob;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageEncoderTest {
    static ImageData gradient(int w, int h, boolean alpha) {
        int bpp = alpha ? 2 : 1;
        byte[] data = new byte[w * h * bpp];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * bpp;
                data[i] = (byte) ((x * 255) / Math.max(1, w - 1));
                if (alpha) {
                    data[i + 1] = (byte) ((y * 255) / Math.max(1, h - 1));
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, data);
    }

    private static BufferedImage read(byte[] bytes) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    /** The encoded image's gray (and alpha) samples, as the JDK's own readers see them. */
    static ImageData readBack(byte[] encoded) throws IOException {
        java.awt.image.Raster raster = read(encoded).getRaster();
        int bands = raster.getNumBands();
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] data = new byte[w * h * bands];
        raster.getDataElements(0, 0, w, h, data);
        return new ImageData(bands == 2 ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, data);
    }

    @Test
    void pngGrayRoundTripIsExact() throws IOException {
        ImageData img = gradient(37, 21, false);
        byte[] png = ImageEncoder.encode(img, OutputFormat.PNG, 85);
        assertEquals((byte) 0x89, png[0]);
        assertEquals(0, png[25], "colour type 0 (gray)");
        assertEquals(8, png[24], "bit depth 8");
        BufferedImage back = read(png);
        assertEquals(37, back.getWidth());
        assertEquals(21, back.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        for (int y = 0; y < 21; y++) {
            for (int x = 0; x < 37; x++) {
                assertEquals(img.data()[y * 37 + x] & 0xff, back.getRaster().getSample(x, y, 0));
            }
        }
        ImageData decoded = readBack(png);
        assertArrayEquals(img.data(), decoded.data());
    }

    @Test
    void pngGrayAlphaKeepsAlpha() throws IOException {
        ImageData img = gradient(16, 9, true);
        byte[] png = ImageEncoder.encode(img, OutputFormat.PNG, 85);
        assertEquals(4, png[25], "colour type 4 (gray+alpha)");
        BufferedImage back = read(png);
        assertTrue(back.getColorModel().hasAlpha());
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 16; x++) {
                int i = (y * 16 + x) * 2;
                assertEquals(img.data()[i] & 0xff, back.getRaster().getSample(x, y, 0));
                assertEquals(img.data()[i + 1] & 0xff, back.getRaster().getSample(x, y, 1));
            }
        }
        ImageData decoded = readBack(png);
        assertEquals(PixelFormat.GRAY_ALPHA8, decoded.format());
        assertArrayEquals(img.data(), decoded.data());
    }

    @Test
    void jpegGrayRoundTripWithinTolerance() throws IOException {
        ImageData img = gradient(64, 48, false);
        byte[] jpeg = ImageEncoder.encode(img, OutputFormat.JPEG, 95);
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        BufferedImage back = read(jpeg);
        assertEquals(64, back.getWidth());
        assertEquals(48, back.getHeight());
        assertEquals(1, back.getRaster().getNumBands(), "gray JPEG, one component");
        ImageData decoded = readBack(jpeg);
        assertEquals(PixelFormat.GRAY8, decoded.format());
        for (int i = 0; i < img.data().length; i++) {
            int diff = Math.abs((img.data()[i] & 0xff) - (decoded.data()[i] & 0xff));
            assertTrue(diff <= 4, "pixel " + i + " off by " + diff);
        }
    }

    @Test
    void jpegQualityChangesSize() {
        ImageData img = noisy(128, 128);
        int low = ImageEncoder.encode(img, OutputFormat.JPEG, 10).length;
        int high = ImageEncoder.encode(img, OutputFormat.JPEG, 100).length;
        assertTrue(low * 2 < high, low + " vs " + high);
    }

    private static ImageData noisy(int w, int h) {
        byte[] data = new byte[w * h];
        new java.util.Random(1).nextBytes(data);
        return new ImageData(PixelFormat.GRAY8, w, h, data);
    }

    @Test
    void jpegFromGrayAlphaIsCompositedOnWhite() throws IOException {
        // gray 0: opaque, half transparent, fully transparent.
        ImageData img = new ImageData(PixelFormat.GRAY_ALPHA8, 3, 1, new byte[]{0, (byte) 255, 0, (byte) 128, 0, 0});
        ImageData flat = ImageEncoder.onWhite(img);
        assertArrayEquals(new byte[]{0, 127, (byte) 255}, flat.data());
        // Through a real JPEG: 24x8 blocks of opaque black, half, transparent.
        byte[] data = new byte[24 * 8 * 2];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 24; x++) {
                data[(y * 24 + x) * 2 + 1] = (byte) (x < 8 ? 255 : x < 16 ? 128 : 0);
            }
        }
        ImageData decoded = readBack(
                ImageEncoder.encode(new ImageData(PixelFormat.GRAY_ALPHA8, 24, 8, data), OutputFormat.JPEG, 100));
        assertEquals(PixelFormat.GRAY8, decoded.format());
        assertTrue((decoded.data()[4 * 24 + 4] & 0xff) <= 3);
        assertTrue(Math.abs((decoded.data()[4 * 24 + 12] & 0xff) - 127) <= 3);
        assertTrue((decoded.data()[4 * 24 + 20] & 0xff) >= 252);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageEncoder.encode(gradient(2, 2, false), OutputFormat.JPEG, 0));
    }

    /** An RGB(A) raster: red rising left to right, green top to bottom, blue constant 40. */
    private static PlanarRaster colour(int w, int h, boolean alpha) {
        byte[][] planes = new byte[3][w * h];
        byte[] a = alpha ? new byte[w * h] : null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                planes[0][y * w + x] = (byte) (x * 255 / (w - 1));
                planes[1][y * w + x] = (byte) (y * 255 / (h - 1));
                planes[2][y * w + x] = 40;
                if (alpha) {
                    a[y * w + x] = (byte) (255 - x * 255 / (w - 1));
                }
            }
        }
        return new PlanarRaster(w, h, planes, a);
    }

    @Test
    void colourPngIsRgbOrRgbaAndExact() throws IOException {
        for (boolean alpha : new boolean[]{false, true}) {
            PlanarRaster raster = colour(23, 11, alpha);
            byte[] png = ImageEncoder.encode(raster, OutputFormat.PNG, 85);
            assertEquals(alpha ? 6 : 2, png[25], "colour type RGB(A)");
            BufferedImage back = read(png);
            for (int y = 0; y < 11; y++) {
                for (int x = 0; x < 23; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(raster.plane(c)[y * 23 + x] & 0xff, back.getRaster().getSample(x, y, c));
                    }
                    if (alpha) {
                        assertEquals(raster.alpha()[y * 23 + x] & 0xff, back.getRaster().getSample(x, y, 3));
                    }
                }
            }
        }
    }

    @Test
    void colourJpegHasThreeComponentsAndAlphaGoesOnWhite() throws IOException {
        PlanarRaster raster = colour(64, 32, true);
        byte[] jpeg = ImageEncoder.encode(raster, OutputFormat.JPEG, 100);
        BufferedImage back = read(jpeg);
        assertEquals(3, back.getColorModel().getNumComponents());
        assertEquals(3, sofComponents(jpeg));
        int left = back.getRGB(1, 16);  // opaque: red 0-ish, green ~128, blue 40
        int right = back.getRGB(62, 16); // nearly transparent: nearly white
        assertTrue(Math.abs(((left >> 8) & 0xff) - 131) <= 6 && Math.abs((left & 0xff) - 40) <= 6,
                Integer.toHexString(left));
        assertTrue(((right >> 16) & 0xff) > 240 && ((right >> 8) & 0xff) > 240 && (right & 0xff) > 240,
                Integer.toHexString(right));
        PlanarRaster gray = PlanarRaster.of(gradient(16, 8, false));
        assertEquals(1, sofComponents(ImageEncoder.encode(gray, OutputFormat.JPEG, 90)));
        assertArrayEquals(ImageEncoder.encode(gradient(16, 8, false), OutputFormat.JPEG, 90),
                ImageEncoder.encode(gray, OutputFormat.JPEG, 90), "gray rasters encode exactly as before");
    }

    /** The component count in the JPEG's start-of-frame segment. */
    static int sofComponents(byte[] jpeg) {
        for (int i = 2; i + 9 < jpeg.length; ) {
            int marker = jpeg[i + 1] & 0xff;
            int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
            if (marker == 0xC0 || marker == 0xC2) {
                return jpeg[i + 9] & 0xff;
            }
            i += 2 + length;
        }
        throw new AssertionError("no SOF segment");
    }

    @Test
    void scaleJobScalesThenEncodesInTheAskedFormat() throws IOException {
        ImageData img = gradient(40, 30, false);
        Message answer = ScaleJob.run(ScaleRequest.scale(7, 20, 15, OutputFormat.PNG, 85, 1_000, img),
                ExecutionMode.THREADS, null, null);
        ScaleResult result = assertInstanceOf(ScaleResult.class, answer);
        assertEquals(7, result.requestId());
        assertEquals(ExecutionMode.THREADS, result.mode());
        assertEquals(20, result.width());
        assertEquals(15, result.height());
        assertArrayEquals(AreaAverageScaler.scale(img, 0.5).data(), readBack(result.data()).data());
    }
}
