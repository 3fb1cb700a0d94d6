package io.graypipe.front.image;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.testing.ExceptionText;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.codec.Avif;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile files into the decoder: format sniffing and the header-first limits, the whole decode to gray with the
 * production limits, and EXIF orientation and ICC profiles spliced into good images.
 *
 * <p>Invariants: the only failures are {@link FrontException}s with the decoder's documented codes; no decode runs
 * out of memory (the decoder turns that into {@code undecodable_image}, which would hide an allocation beyond the
 * limits, so it fails here); no message quotes a Java exception's text (F13); every result fits the limits and
 * its pixel array its size; the same bytes give the same answer twice; and damaged metadata never costs a good
 * image its pixels.
 */
class ImageFuzzTest {
    /** The front's defaults, --max-pixels and --max-dimension. */
    private static final ImageLimits PRODUCTION = new ImageLimits(50_000_000, 20_000);
    /** Small enough that anything past the header check decodes fast. */
    private static final ImageLimits TINY = new ImageLimits(4096, 256);
    private static final Set<ErrorCode> DOCUMENTED = EnumSet.of(ErrorCode.EMPTY_IMAGE,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.IMAGE_TOO_LARGE, ErrorCode.UNDECODABLE_IMAGE);
    private static final byte[] JPEG = TestImages.jpeg(TestImages.photo(12, 8), 0.9f, false);
    private static final byte[] PNG = TestImages.write(TestImages.photo(12, 8), "png");
    /** libavif where it is installed, as the front loads it: AVIF seeds then reach its parser. */
    private static final Avif AVIF = Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder()).orElse(null);

    @FuzzTest
    void sniffingAndHeaderLimits(byte[] input) {
        String answer = outcome(TINY, input);
        assertEquals(answer, outcome(TINY, input), "the same bytes must give the same answer");
        String sniffed = ImageFormat.sniff(input, Math.min(input.length, ImageFormat.SNIFF_BYTES))
                .map(ImageFormat::label).orElse(null);
        if (answer.startsWith("ok ")) {
            assertEquals(sniffed, answer.split(" ")[1], "decoded as the format its signature names");
        } else if (sniffed == null && input.length > 0) {
            assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE.name(), answer);
        }
    }

    @FuzzTest
    void decodeToGrayWithProductionLimits(byte[] input) {
        String answer = outcome(PRODUCTION, input);
        assertEquals(answer, outcome(PRODUCTION, input), "the same bytes must give the same answer");
    }

    /** A good 12 × 8 JPEG or PNG with fuzzed EXIF and ICC data spliced in must still decode, upright. */
    @FuzzTest
    void exifAndIccNeverCostAGoodImage(FuzzedDataProvider data) {
        boolean jpeg = data.consumeBoolean();
        byte[] exif = data.consumeBytes(300);
        byte[] icc = data.consumeRemainingAsBytes();
        byte[] file;
        if (jpeg) {
            byte[] withIcc = ContainerFixtures.jpegSegment(JPEG, 0xE2, ContainerFixtures.iccSegment(icc));
            byte[] app1 = new byte[6 + exif.length];
            System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, app1, 0, 6);
            System.arraycopy(exif, 0, app1, 6, exif.length);
            file = ContainerFixtures.jpegSegment(withIcc, 0xE1, app1);
        } else {
            file = ContainerFixtures.insertAfterIhdr(PNG, ContainerFixtures.chunk("eXIf", exif),
                    ContainerFixtures.iccp(icc));
        }
        GrayscaleDecoder decoder = new GrayscaleDecoder(PRODUCTION);
        ImageData gray = decoder.decode(ImageSource.of(file)).gray();
        boolean upright = gray.width() == 12 && gray.height() == 8;
        boolean turned = gray.width() == 8 && gray.height() == 12;
        assertTrue(upright || turned, "12x8 or, turned by EXIF, 8x12: " + gray.width() + "x" + gray.height());
        int orientation = jpeg ? Exif.orientation(exif, 0) : 1;
        assertTrue(orientation >= 1 && orientation <= 8);
        assertEquals(Arrays.hashCode(gray.data()), Arrays.hashCode(decoder.decode(ImageSource.of(file)).gray().data()));
    }

    /** "ok FORMAT WxH FORMAT hash" for a decoded image, or the error code; fails on anything undocumented. */
    private static String outcome(ImageLimits limits, byte[] input) {
        try {
            DecodedImage decoded = new GrayscaleDecoder(limits, AVIF).decode(ImageSource.of(input));
            ImageData gray = decoded.gray();
            assertTrue(gray.width() > 0 && gray.height() > 0 && limits.allows(gray.width(), gray.height()),
                    "within the limits: " + gray.width() + "x" + gray.height());
            long pixels = (long) gray.width() * gray.height();
            assertEquals(pixels * gray.format().bytesPerPixel(), gray.data().length, "pixel array fits the size");
            return "ok " + decoded.sourceFormat().label() + " " + gray.width() + "x" + gray.height() + " " + gray.format()
                    + " " + Arrays.hashCode(gray.data());
        } catch (FrontException e) {
            assertTrue(DOCUMENTED.contains(e.code()), "undocumented error " + e.code());
            assertFalse(e.getMessage().contains("more memory"), "ran out of memory: " + e.getMessage());
            ExceptionText.assertNotQuoted(e.getMessage(), new String(input, StandardCharsets.ISO_8859_1));
            return e.code().name();
        }
    }
}
