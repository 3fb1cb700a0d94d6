package io.graypipe.front.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.json.Json;
import io.graypipe.front.testing.ExceptionText;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.codec.Avif;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile files into {@code POST /info}'s reader ({@link ImageInspector}: graypipe's own header readers and
 * metadata-extractor on every format's headers, EXIF, ICC, XMP, GIF blocks, RIFF chunks and ISO-BMFF boxes),
 * with the front's default limits and {@code exif=full}.
 *
 * <p>Invariants: the only failures are {@link FrontException}s with the decoder's codes ({@code empty_image},
 * {@code unsupported_media_type}, {@code image_too_large}, {@code undecodable_image}), in graypipe's words; no
 * read runs out of memory or stack (both escape as errors and fail the target); the facts name the format the
 * signature names, a size within the limits, an orientation 1..8 and the upright size it gives, a colour model
 * and bit depth graypipe documents, and serialise to JSON; {@code exif=basic} is {@code exif=full} without the
 * GPS coordinates; the same bytes give the same facts; and where a small image also decodes, the decoder
 * works from the same upright size that {@code /info} reports (not yet for animated WebPs: F18 in
 * docs/fuzzing.md).
 */
class ImageInspectorFuzzTest {
    /** The front's defaults, --max-pixels and --max-dimension. */
    private static final ImageLimits PRODUCTION = new ImageLimits(50_000_000, 20_000);
    /** Sizes the cross-check with the decoder decodes quickly. */
    private static final ImageLimits SMALL = new ImageLimits(65_536, 1024);
    private static final Set<ErrorCode> DOCUMENTED = EnumSet.of(ErrorCode.EMPTY_IMAGE,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.IMAGE_TOO_LARGE, ErrorCode.UNDECODABLE_IMAGE);
    private static final Set<String> COLOUR_MODELS = Set.of("gray", "rgb", "cmyk", "ycck", "palette");
    private static final Avif AVIF = Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder()).orElse(null);
    private static final ImageInspector INSPECTOR = new ImageInspector(PRODUCTION);

    @FuzzTest
    void inspect(byte[] input) {
        String client = new String(input, StandardCharsets.ISO_8859_1);
        ImageFacts full = facts(input, true, client);
        assertEquals(String.valueOf(full), String.valueOf(facts(input, true, client)), "the same bytes twice");
        ImageFacts basic = facts(input, false, client);
        if (full == null) {
            return;
        }
        ImageFacts.ExifSummary exif = full.exif();
        ImageFacts.ExifSummary withoutGps = exif == null ? null : new ImageFacts.ExifSummary(exif.make(), exif.model(),
                exif.dateTaken(), exif.exposureTime(), exif.fNumber(), exif.iso(), exif.gpsPresent(), null, null);
        assertEquals(String.valueOf(withoutGps), String.valueOf(basic.exif()), "exif=basic is exif=full without GPS");

        assertEquals(ImageFormat.sniff(input, Math.min(input.length, ImageFormat.SNIFF_BYTES)).orElse(null),
                full.format(), "the format its signature names");
        assertTrue(full.width() > 0 && full.height() > 0 && PRODUCTION.allows(full.width(), full.height()),
                "within the limits: " + full);
        assertTrue(full.orientation() >= 1 && full.orientation() <= 8, "orientation " + full.orientation());
        boolean swap = Orientation.swapsDimensions(full.orientation());
        assertEquals(swap ? full.height() : full.width(), full.uprightWidth());
        assertEquals(swap ? full.width() : full.height(), full.uprightHeight());
        assertTrue(COLOUR_MODELS.contains(full.colourModel()), "colour model " + full.colourModel());
        assertTrue(full.bitsPerSample() >= 1 && full.bitsPerSample() <= 16, "bits " + full.bitsPerSample());
        assertTrue(full.frames() == null || full.frames() >= 1, "frames " + full.frames());
        assertNotNull(full.icc());
        assertTrue(Json.bytes(full).length > 0);

        // F18, open: an animated WebP's first frame is decoded at its own size, /info gives the canvas's.
        boolean animatedWebp = full.format() == ImageFormat.WEBP && full.animated();
        if (SMALL.allows(full.width(), full.height()) && !animatedWebp) {
            try {
                ImageData gray = new GrayscaleDecoder(SMALL, AVIF).decode(ImageSource.of(input)).gray();
                assertEquals(full.uprightWidth() + "x" + full.uprightHeight(), gray.width() + "x" + gray.height(),
                        "/info's upright size is the size the decoder works from: " + full);
            } catch (FrontException refused) {
                // Pixel data /info does not read may still be damaged.
            }
        }
    }

    /** The facts, or null when refused with a documented code in graypipe's words. */
    private static ImageFacts facts(byte[] input, boolean fullExif, String client) {
        try {
            return INSPECTOR.inspect(ImageSource.of(input), fullExif);
        } catch (FrontException e) {
            assertTrue(DOCUMENTED.contains(e.code()), "undocumented error " + e.code() + ": " + e.getMessage());
            ExceptionText.assertNotQuoted(e.getMessage(), client);
            return null;
        }
    }
}
