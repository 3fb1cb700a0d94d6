package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Truncated GIF and BMP, animated GIF, 16-bit and paletted PNG details, and EXIF orientation in PNG. */
class FormatEdgeCasesTest {
    private final GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(50_000_000, 20_000));

    private ImageData decode(byte[] bytes) {
        return decoder.decode(ImageSource.of(bytes)).gray();
    }

    private static int gray(ImageData image, int x, int y) {
        return image.data()[(y * image.width() + x) * image.format().bytesPerPixel()] & 0xff;
    }

    private static int alpha(ImageData image, int x, int y) {
        assertEquals(PixelFormat.GRAY_ALPHA8, image.format());
        return image.data()[(y * image.width() + x) * 2 + 1] & 0xff;
    }

    /** A 256-colour image of noise, so that its compressed data is long and every cut lands inside it. */
    private static BufferedImage noise(int w, int h) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) i;
            g[i] = (byte) (255 - i);
            b[i] = (byte) (i * 7);
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        Random random = new Random(42);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        return image;
    }

    /** Cuts at every {@code step}-th length from the end of the signature to {@code file.length - spare}. */
    private void assertUndecodableWhenCut(byte[] file, int step, int spare) {
        for (int keep = 6; keep <= file.length - spare; keep += keep < 64 ? 1 : step) {
            byte[] cut = Arrays.copyOf(file, keep);
            FrontException e = assertThrows(FrontException.class, () -> decode(cut), "kept " + keep + " of " + file.length);
            assertEquals(ErrorCode.UNDECODABLE_IMAGE, e.code(), "kept " + keep + ": " + e.getMessage());
        }
        byte[] cut = Arrays.copyOf(file, file.length - spare);
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, assertThrows(FrontException.class, () -> decode(cut)).code());
    }

    @Test
    void truncatedGifIsUndecodable() {
        byte[] gif = ContainerFixtures.write(noise(96, 96), "gif");
        assertEquals(96, decode(gif).width()); // the whole file decodes
        // Spare 2: the block terminator and the trailer; without just the trailer every pixel is still there.
        assertUndecodableWhenCut(gif, 37, 2);
    }

    @Test
    void truncatedBmpIsUndecodable() {
        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(noise(40, 30), 0, 0, null);
        byte[] reference = decode(ContainerFixtures.write(rgb, "png")).data();
        // 40 pixels per row needs no row padding, so the very last byte is pixel data.
        for (byte[] bmp : new byte[][]{ContainerFixtures.write(rgb, "bmp"), ContainerFixtures.write(noise(40, 30), "bmp"),
                ContainerFixtures.bmp(noise(40, 30), "BI_RLE8"), ContainerFixtures.bmp(rgb, "BI_BITFIELDS")}) {
            assertEquals(Arrays.toString(reference), Arrays.toString(decode(bmp).data()), "the whole file decodes");
            // Spare 5 for RLE: its final end-of-line and end-of-bitmap markers (00 00 00 01) hold no pixel.
            boolean rle = bmp[30] == 1;
            assertUndecodableWhenCut(bmp, 29, rle ? 5 : 1);
        }
    }

    @Test
    void animatedGifGivesTheFirstFrame() {
        BufferedImage first = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, new byte[]{(byte) 255, 0}, new byte[]{0, 0}, new byte[]{0, (byte) 255}));
        BufferedImage second = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, new byte[]{0, (byte) 255}, new byte[]{(byte) 255, (byte) 255},
                        new byte[]{0, (byte) 255}));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                first.getRaster().setSample(x, y, 0, x < 4 ? 0 : 1);   // red | blue
                second.getRaster().setSample(x, y, 0, x < 4 ? 0 : 1);  // green | white
            }
        }
        byte[] gif = ContainerFixtures.animatedGif(first, second);
        ImageData gray = decode(gif);
        assertEquals(8, gray.width());
        assertEquals(4, gray.height());
        assertEquals(76, gray(gray, 1, 1));  // red, not the second frame's green (150)
        assertEquals(29, gray(gray, 6, 2));  // blue, not the second frame's white (255)
    }

    @Test
    void sixteenBitGrayPngIsExact() {
        BufferedImage image = new BufferedImage(6, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] stored = {0, 65535, 128 * 257, 128, 129, 0x7F80};
        image.getRaster().setPixels(0, 0, 6, 1, stored);
        ImageData gray = decode(ContainerFixtures.write(image, "png"));
        assertEquals(PixelFormat.GRAY8, gray.format());
        int[] want = {0, 255, 128, 0, 1, 127}; // round(v * 255 / 65535); 0x7F80 = 32640 -> 127.00
        for (int x = 0; x < stored.length; x++) {
            assertEquals(want[x], gray(gray, x, 0), "stored " + stored[x]);
        }
    }

    @Test
    void sixteenBitGrayAlphaPngIsExact() {
        java.awt.color.ColorSpace cs = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(cs, new int[]{16, 16}, true,
                false, java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_USHORT);
        BufferedImage image = new BufferedImage(cm, cm.createCompatibleWritableRaster(3, 1), false, null);
        image.getRaster().setPixels(0, 0, 3, 1, new int[]{129, 65535, 200 * 257, 128, 128, 32896});
        ImageData gray = decode(ContainerFixtures.write(image, "png"));
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(1, gray(gray, 0, 0));
        assertEquals(255, alpha(gray, 0, 0));
        assertEquals(200, gray(gray, 1, 0));
        assertEquals(0, alpha(gray, 1, 0));
        assertEquals(0, gray(gray, 2, 0));
        assertEquals(128, alpha(gray, 2, 0)); // 32896 = 128 * 257
    }

    @Test
    void palettedPngWithTrnsKeepsAlpha() {
        byte[] r = {(byte) 255, 0, 0, (byte) 128};
        byte[] g = {0, (byte) 255, 0, (byte) 128};
        byte[] b = {0, 0, (byte) 255, (byte) 128};
        byte[] a = {0, 77, (byte) 200, (byte) 255};
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 4, r, g, b, a));
        for (int x = 0; x < 4; x++) {
            image.getRaster().setSample(x, 0, 0, x);
            image.getRaster().setSample(x, 1, 0, 3 - x);
        }
        byte[] png = ContainerFixtures.write(image, "png");
        assertTrue(ContainerFixtures.hasChunk(png, "tRNS") && ContainerFixtures.hasChunk(png, "PLTE"));
        ImageData gray = decode(png);
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        int[] lumas = {76, 150, 29, 128};
        for (int x = 0; x < 4; x++) {
            assertEquals(lumas[x], gray(gray, x, 0), "index " + x);
            assertEquals(a[x] & 0xff, alpha(gray, x, 0), "alpha of index " + x);
            assertEquals(lumas[3 - x], gray(gray, x, 1));
            assertEquals(a[3 - x] & 0xff, alpha(gray, x, 1));
        }
    }

    @Test
    void grayPngWithTrnsKeyHasAlpha() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setPixels(0, 0, 3, 1, new int[]{200, 10, 201});
        byte[] png = ContainerFixtures.insertAfterIhdr(ContainerFixtures.write(image, "png"),
                ContainerFixtures.chunk("tRNS", new byte[]{0, (byte) 200}));
        ImageData gray = decode(png);
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(200, gray(gray, 0, 0));
        assertEquals(0, alpha(gray, 0, 0));
        assertEquals(10, gray(gray, 1, 0));
        assertEquals(255, alpha(gray, 1, 0));
        assertEquals(255, alpha(gray, 2, 0));
    }

    @Test
    void rgbPngWithTrnsKeyHasAlpha() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, 0x0000FF);
        image.setRGB(1, 0, 0x0001FF);
        byte[] png = ContainerFixtures.insertAfterIhdr(ContainerFixtures.write(image, "png"),
                ContainerFixtures.chunk("tRNS", new byte[]{0, 0, 0, 0, 0, (byte) 255}));
        ImageData gray = decode(png);
        assertEquals(0, alpha(gray, 0, 0));
        assertEquals(29, gray(gray, 0, 0));
        assertEquals(255, alpha(gray, 1, 0));
    }

    /** A 4×2 gray PNG, black at stored (0,0) and white elsewhere. */
    private static byte[] markedPng() {
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        Arrays.fill(((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData(), (byte) 255);
        image.getRaster().setSample(0, 0, 0, 0);
        return ContainerFixtures.write(image, "png");
    }

    @ParameterizedTest
    @CsvSource({"6, true, false", "6, false, false", "3, true, false", "8, false, false", "6, false, true",
            "1, true, false"})
    void pngExifOrientation(int orientation, boolean littleEndian, boolean exifPrefix) {
        byte[] png = ContainerFixtures.insertAfterIhdr(markedPng(),
                ContainerFixtures.exif(orientation, littleEndian, exifPrefix));
        ImageData gray = decode(png);
        boolean swap = orientation >= 5;
        assertEquals(swap ? 2 : 4, gray.width());
        assertEquals(swap ? 4 : 2, gray.height());
        // Where stored (0,0) lands: 6 = rotate 90° clockwise -> top-right; 3 = 180° -> bottom-right;
        // 8 = rotate 90° counter-clockwise -> bottom-left; 1 -> stays.
        int[] at = switch (orientation) {
            case 6 -> new int[]{1, 0};
            case 3 -> new int[]{3, 1};
            case 8 -> new int[]{0, 3};
            default -> new int[]{0, 0};
        };
        for (int y = 0; y < gray.height(); y++) {
            for (int x = 0; x < gray.width(); x++) {
                boolean black = x == at[0] && y == at[1];
                assertEquals(black ? 0 : 255, gray(gray, x, y), "(" + x + "," + y + ") for orientation " + orientation);
            }
        }
    }
}
