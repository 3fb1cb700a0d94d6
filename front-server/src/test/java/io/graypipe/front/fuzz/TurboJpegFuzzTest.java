package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.protocol.turbojpeg.TurboJpeg;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile bytes into graypipe's JNA binding to libjpeg-turbo ({@link TurboJpeg#decodeGray}), as the front calls it
 * on an upload: the fuzzer mutates headers (SOF sizes, segment lengths), scan data and truncations; a native crash
 * kills the JVM and so fails the campaign. The library itself is fuzzed upstream (OSS-Fuzz); what this target
 * covers is graypipe's side: every size and length it passes across JNA.
 *
 * <p>Input: byte 0 picks the scale (1, 1/2, 1/4, 1/8, or 0.3); byte 1, when its top bit is set, cuts the JPEG to
 * that fraction of its length, as a truncated upload; the rest is the file. The pixel limit is the front's default
 * ({@code --max-pixels} 100,000,000) divided by 100, so oversized claims are met quickly.
 *
 * <p>Invariants: the only failures are {@code TurboJpegException}s; a decoded image has at most the limit's
 * pixels, its scaled size is {@code ceil(full / d)} for a denominator the library offers, its pixel array is
 * exactly width × height, and the same input decodes to the same pixels twice. Without libturbojpeg the target
 * does nothing (the decoder targets still run).
 */
class TurboJpegFuzzTest {
    private static final long MAX_PIXELS = 1_000_000;
    private static final double[] SCALES = {1, 0.5, 0.25, 0.125, 0.3};
    private static final Optional<TurboJpeg> TURBO = TurboJpeg.load(TurboJpeg.DEFAULT_LIBRARY, new StringBuilder());

    @FuzzTest
    void decodeGray(byte[] input) {
        if (TURBO.isEmpty() || input.length < 2) {
            return;
        }
        double scale = SCALES[(input[0] & 0xff) % SCALES.length];
        byte[] jpeg = Arrays.copyOfRange(input, 2, input.length);
        int length = (input[1] & 0x80) != 0 ? jpeg.length * (input[1] & 0x7f) / 128 : jpeg.length;
        String first = decode(jpeg, length, scale);
        assertEquals(first, decode(jpeg, length, scale), "the same bytes must decode the same way");
    }

    private static String decode(byte[] jpeg, int length, double scale) {
        TurboJpeg turbo = TURBO.get();
        TurboJpeg.Gray gray;
        try {
            gray = turbo.decodeGray(jpeg, length, scale, MAX_PIXELS);
        } catch (TurboJpeg.TurboJpegException e) {
            return "refused: " + e.warning() + " " + e.getMessage();
        }
        long full = (long) gray.fullWidth() * gray.fullHeight();
        assertTrue(gray.fullWidth() > 0 && gray.fullHeight() > 0 && full <= MAX_PIXELS, "within the limit: " + gray);
        int d = gray.denominator();
        assertTrue(d == 1 || turbo.dctDenominators().contains(d), "a scale the library offers: 1/" + d);
        assertEquals(TurboJpeg.scaled(gray.fullWidth(), d), gray.width());
        assertEquals(TurboJpeg.scaled(gray.fullHeight(), d), gray.height());
        assertEquals((long) gray.width() * gray.height(), gray.pixels().length, "exactly width x height bytes");
        return gray.width() + "x" + gray.height() + " " + Arrays.hashCode(gray.pixels());
    }
}
