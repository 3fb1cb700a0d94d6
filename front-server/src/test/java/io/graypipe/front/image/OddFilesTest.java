package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Valid but odd files that real users send: a JPEG with a damaged ICC profile, OS/2 BMPs, GIFs with out-of-spec
 * LZW code sizes or a first frame smaller than the screen, headers that claim huge sizes in every format, and the
 * strictness policy for checksums and trailing data (docs/image-inputs.md).
 */
class OddFilesTest {
    private static final int[] PALETTE = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF};
    private final GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(50_000_000, 20_000));

    private ImageData decode(byte[] bytes) {
        return decoder.decode(ImageSource.of(bytes)).gray();
    }

    private ErrorCode failure(byte[] bytes) {
        return assertThrows(FrontException.class, () -> decode(bytes)).code();
    }

    private static int gray(ImageData image, int x, int y) {
        return image.data()[(y * image.width() + x) * image.format().bytesPerPixel()] & 0xff;
    }

    private static int alpha(ImageData image, int x, int y) {
        return image.data()[(y * image.width() + x) * 2 + 1] & 0xff;
    }

    @Test
    void jpegWithDamagedIccProfileDecodesIgnoringIt() {
        byte[] plain = TestImages.jpeg(TestImages.photo(32, 24), 0.95f, false);
        byte[] reference = decode(plain).data();
        byte[] goodProfile = ContainerFixtures.rgbProfile(new double[][]{{0.4361, 0.2225, 0.0139},
                {0.3851, 0.7169, 0.0971}, {0.1431, 0.0606, 0.7141}}, 2.2);
        byte[] cutProfile = Arrays.copyOf(goodProfile, goodProfile.length / 2);  // tag table points past the end
        byte[] garbage = new byte[600];
        Arrays.fill(garbage, (byte) 0x5A);
        // A wide-gamut profile (so not taken for sRGB) whose tone curves have an unknown tag type.
        byte[] badCurves = ContainerFixtures.rgbProfile(new double[][]{{0.6097, 0.3111, 0.0195},
                {0.2053, 0.6257, 0.0609}, {0.1492, 0.0632, 0.7446}}, 1.0);
        for (int i = 0; i + 4 <= badCurves.length; i++) {
            if (badCurves[i] == 'c' && badCurves[i + 1] == 'u' && badCurves[i + 2] == 'r' && badCurves[i + 3] == 'v') {
                badCurves[i] = 'x';
            }
        }
        // An empty ICC_PROFILE segment is what the fuzzer found (F2): the JDK reader refused the whole JPEG.
        for (byte[] damaged : new byte[][]{cutProfile, garbage, badCurves, new byte[0]}) {
            byte[] jpeg = ContainerFixtures.jpegSegment(plain, 0xE2, ContainerFixtures.iccSegment(damaged));
            assertArrayEquals(reference, decode(jpeg).data(), "decoded as if it had no profile");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 16, 40, 64})
    void bmpHeaderVariantsIncludingOs2Decode(int headerSize) {
        BufferedImage image = TestImages.photo(7, 5);
        ImageData expected = decode(TestImages.write(image, "png"));
        ImageData gray = decode(ContainerFixtures.bmp24(image, headerSize, 7, 5));
        assertEquals(7, gray.width());
        assertEquals(5, gray.height());
        assertArrayEquals(expected.data(), gray.data());
    }

    @Test
    void headerFirstLimitsHoldForEveryFormat() {
        BufferedImage tiny = TestImages.photo(2, 2);
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, failure(ContainerFixtures.bmp24(tiny, 40, 3_000_000, 2_000_000)));
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, failure(ContainerFixtures.bmp24(tiny, 64, 30_000, 2)));
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, failure(ContainerFixtures.bmp24(tiny, 12, 10_000, 10_000)));
        byte[] four = {0, 1, 2, 3};
        // A huge logical screen with a small frame, and a small screen with a huge frame.
        assertEquals(ErrorCode.IMAGE_TOO_LARGE,
                failure(ContainerFixtures.gif(65_535, 65_535, 0, 0, 2, 2, PALETTE, -1, 2, four)));
        assertEquals(ErrorCode.IMAGE_TOO_LARGE,
                failure(ContainerFixtures.gif(2, 2, 0, 0, 30_000, 2, PALETTE, -1, 2, four)));
        BufferedImage frame = TestImages.solid(4, 4, 0x808080);
        byte[] animated = ContainerFixtures.animatedGif(frame, frame);
        animated[6] = (byte) 0xFF;  // logical screen width 65535
        animated[7] = (byte) 0xFF;
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, failure(animated));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8, 9, 10, 11})
    void gifLzwMinimumCodeSizesBrowsersReadAreRead(int minCodeSize) {
        byte[] indexes = new byte[6 * 5];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = (byte) (minCodeSize == 1 ? i % 2 : i % 4);
        }
        ImageData gray = decode(ContainerFixtures.gif(6, 5, 0, 0, 6, 5, PALETTE, -1, minCodeSize, indexes));
        assertEquals(PixelFormat.GRAY8, gray.format());
        int[] luma = {0, 76, 150, 29};
        for (int i = 0; i < indexes.length; i++) {
            assertEquals(luma[indexes[i]], gray(gray, i % 6, i / 6), "pixel " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12})
    void gifLzwMinimumCodeSizesBrowsersRefuseAreUndecodable(int minCodeSize) {
        byte[] gif = ContainerFixtures.gif(2, 1, 0, 0, 2, 1, PALETTE, -1, 2, new byte[]{1, 2});
        gif[gif.length - 2 - 1 - lzwBytes(gif) - 1] = (byte) minCodeSize;
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, failure(gif));
    }

    /** Bytes of LZW data in a fixture GIF with a single data sub-block. */
    private static int lzwBytes(byte[] gif) {
        for (int n = 1; n < 255; n++) {
            int sizeAt = gif.length - 2 - n - 1;
            if ((gif[sizeAt] & 0xff) == n) {
                return n;
            }
        }
        throw new IllegalArgumentException("no single sub-block");
    }

    @Test
    void gifIsSizedFromItsLogicalScreenWithTheFrameAtItsOffset() {
        byte[] indexes = {1, 1, 2, 2, 3, 3};  // a 2 × 3 frame: red, green, blue rows
        ImageData gray = decode(ContainerFixtures.gif(5, 4, 2, 1, 2, 3, PALETTE, -1, 2, indexes));
        assertEquals(5, gray.width());
        assertEquals(4, gray.height());
        assertEquals(PixelFormat.GRAY_ALPHA8, gray.format());
        assertEquals(76, gray(gray, 2, 1));
        assertEquals(255, alpha(gray, 3, 1));
        assertEquals(150, gray(gray, 3, 2));
        assertEquals(29, gray(gray, 2, 3));
        for (int[] outside : new int[][]{{0, 0}, {1, 1}, {4, 1}, {2, 0}, {4, 3}}) {
            assertEquals(0, alpha(gray, outside[0], outside[1]), "uncovered screen is transparent");
            assertEquals(255, gray(gray, outside[0], outside[1]), "transparent white");
        }
    }

    @Test
    void gifFramePartlyOffTheScreenIsClipped() {
        byte[] indexes = {1, 2, 3, 1, 2, 3};
        ImageData gray = decode(ContainerFixtures.gif(2, 2, 1, 1, 3, 2, PALETTE, -1, 2, indexes));
        assertEquals(2, gray.width());
        assertEquals(76, gray(gray, 1, 1));
        assertEquals(0, alpha(gray, 0, 0));
    }

    @Test
    void gifWhoseLzwDataEndsEarlyIsUndecodable() {
        // 4 × 4 frame, but only 6 pixels of data before the end code.
        byte[] gif = ContainerFixtures.gif(4, 4, 0, 0, 4, 4, PALETTE, -1, 2, new byte[]{1, 2, 3, 1, 2, 3});
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, failure(gif));
    }

    // --- strictness: checksums are not verified, trailing data is ignored, as browsers do ------------------------

    @Test
    void pngWithBadChunkCrcsDecodesAsIfTheyWereRight() {
        byte[] png = TestImages.write(TestImages.photo(12, 9), "png");
        byte[] reference = decode(png).data();
        byte[] badCrcs = png.clone();
        for (int pos = 8; pos + 12 <= badCrcs.length; ) {
            int length = ((badCrcs[pos] & 0xff) << 24) | ((badCrcs[pos + 1] & 0xff) << 16)
                    | ((badCrcs[pos + 2] & 0xff) << 8) | (badCrcs[pos + 3] & 0xff);
            badCrcs[pos + 8 + length] ^= 0x55;  // every chunk's CRC, IHDR, IDAT and IEND included
            pos += 12 + length;
        }
        assertArrayEquals(reference, decode(badCrcs).data());
    }

    @Test
    void pngWhoseDeflateDataIsCorruptIsUndecodable() {
        byte[] png = TestImages.write(TestImages.noisyPhoto(40, 40, 3), "png");
        int idat = indexOf(png, "IDAT".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] corrupt = png.clone();
        for (int i = idat + 40; i < idat + 120; i++) {
            corrupt[i] = (byte) 0xFF;
        }
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, failure(corrupt));
    }

    @Test
    void trailingDataAfterTheImageIsIgnored() {
        BufferedImage image = TestImages.photo(10, 6);
        byte[] junk = "trailing junk, e.g. a zip appended to a polyglot".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String format : new String[]{"png", "jpeg", "gif", "bmp"}) {
            byte[] file = format.equals("jpeg") ? TestImages.jpeg(image, 0.9f, false) : TestImages.write(image, format);
            ByteArrayOutputStream withJunk = new ByteArrayOutputStream();
            withJunk.writeBytes(file);
            withJunk.writeBytes(junk);
            assertArrayEquals(decode(file).data(), decode(withJunk.toByteArray()).data(), format);
        }
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
