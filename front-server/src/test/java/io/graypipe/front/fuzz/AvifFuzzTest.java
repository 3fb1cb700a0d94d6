package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.CodecException;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input into graypipe's JNA binding to libavif ({@link Avif}): files into {@link Avif#decode} as the front
 * decodes an upload, and hostile sizes, channel counts, buffer lengths and qualities into {@link Avif#encode} as a
 * worker encodes a result. A native crash kills the JVM and so fails the campaign; libavif, libaom and dav1d are
 * fuzzed upstream, and what this covers is graypipe's side: the struct offsets it reads, the sizes and row strides
 * it computes and passes across JNA. Without libavif both do nothing.
 */
class AvifFuzzTest {
    private static final Optional<Avif> AVIF = Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder());
    /** The front's default --max-pixels / --max-dimension, and small ones met quickly by hostile headers. */
    private static final long[][] LIMITS = {{50_000_000, 20_000}, {4096, 256}, {1, 1}};

    /** The refusal a header check throws, as the front's limit check does. */
    private static final class TooLarge extends Exception {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * Byte 0 picks the limits (the production ones, 4096 pixels and 256 per side, or 1 × 1); byte 1, with its top
     * bit set, cuts the file to that fraction of its length; the rest is the file. Invariants: the only failures
     * are {@link CodecException} (with a message) and the header check's own refusal; the header check sees a
     * positive size and depth 8, 10 or 12 before any pixel is decoded; a decoded image is within the limits and
     * its header's size, its array exactly width × height × 4; the same bytes decode to the same pixels.
     */
    @FuzzTest
    void decode(byte[] input) {
        if (AVIF.isEmpty() || input.length < 2) {
            return;
        }
        long[] limits = LIMITS[(input[0] & 0xff) % LIMITS.length];
        byte[] file = Arrays.copyOfRange(input, 2, input.length);
        int length = (input[1] & 0x80) != 0 ? file.length * (input[1] & 0x7f) / 128 : file.length;
        String first = decode(file, length, limits[0], (int) limits[1]);
        assertEquals(first, decode(file, length, limits[0], (int) limits[1]), "the same bytes must decode the same way");
    }

    private static String decode(byte[] file, int length, long maxPixels, int maxDimension) {
        Avif.Rgba rgba;
        try {
            rgba = AVIF.get().decode(file, length, maxPixels, header -> {
                assertTrue(header.width() > 0 && header.height() > 0, "a positive size: " + header);
                assertTrue(header.depth() == 8 || header.depth() == 10 || header.depth() == 12, "depth " + header);
                if (header.width() > maxDimension || header.height() > maxDimension
                        || (long) header.width() * header.height() > maxPixels) {
                    throw new TooLarge(header.width() + "x" + header.height());
                }
            });
        } catch (CodecException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal says why");
            return "refused: " + e.getMessage();
        } catch (TooLarge e) {
            return "too large: " + e.getMessage();
        }
        assertTrue(rgba.width() > 0 && rgba.height() > 0 && rgba.width() <= maxDimension
                && rgba.height() <= maxDimension && (long) rgba.width() * rgba.height() <= maxPixels, "within: " + rgba);
        assertEquals((long) rgba.width() * rgba.height() * 4, rgba.pixels().length, "exactly width x height x 4");
        return rgba.width() + "x" + rgba.height() + " " + rgba.hasAlpha() + " " + rgba.frames() + " "
                + Arrays.hashCode(rgba.pixels());
    }

    /**
     * An {@link EncodeRequest}: a consistent small image, or hostile sizes, channels, quality and buffer length.
     * Invariants: an inconsistent request is refused with {@link IllegalArgumentException} before any native call;
     * a consistent one encodes, and decodes back through the binding to the same size, with alpha when it had an
     * alpha value under 255.
     */
    @FuzzTest
    void encode(FuzzedDataProvider data) throws CodecException {
        if (AVIF.isEmpty()) {
            return;
        }
        EncodeRequest request = EncodeRequest.from(data);
        Avif avif = AVIF.get();
        if (!request.consistent()) {
            assertThrows(IllegalArgumentException.class, () -> avif.encode(request.pixels(), request.width(),
                    request.height(), request.channels(), request.quality()), request.toString());
            return;
        }
        byte[] file = avif.encode(request.pixels(), request.width(), request.height(), request.channels(),
                request.quality());
        Avif.Rgba back = avif.decode(file, file.length, 4096, header -> { });
        assertEquals(request.width() + "x" + request.height(), back.width() + "x" + back.height());
        // libavif leaves out an alpha plane that is opaque everywhere.
        assertEquals(request.translucent(), back.hasAlpha(), "alpha kept where it is not all opaque: " + request);
    }
}
