package io.graypipe.front.image;

import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files made to crash a naive TurboJPEG binding (docs/security.md, "Native code on untrusted input"), fed to the
 * binding itself and to a real front: the binding refuses them with an exception before any native call could
 * write out of bounds, and the front answers each with a 4xx and goes on serving.
 */
class HostileJpegTest {
    /** 46341 x 46341 = 2,147,488,281 pixels: one past what an int holds, so a naive width * height wraps negative. */
    private static final int OVERFLOWING_SIDE = 46_341;

    static Map<String, byte[]> hostileFiles() {
        byte[] good = TestImages.jpeg(64, 48);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("SOF claiming 46341 x 46341 (int overflow)", TestImages.patchJpegSize(good, OVERFLOWING_SIDE,
                OVERFLOWING_SIDE));
        files.put("SOF claiming 65535 x 65535 (4 GiB for a 64 x 48 scan)", TestImages.patchJpegSize(good, 65_535, 65_535));
        files.put("SOF claiming 0 x 48", TestImages.patchJpegSize(good, 0, 48));
        files.put("SOF claiming 64 x 0 (height from a DNL marker)", TestImages.patchJpegSize(good, 64, 0));
        files.put("SOF claiming 4096 x 4096 for a 64 x 48 scan", TestImages.patchJpegSize(good, 4096, 4096));
        files.put("cut in the SOF", Arrays.copyOf(good, sofOffset(good) + 6));
        files.put("cut after the SOS header", Arrays.copyOf(good, sosOffset(good) + 14));
        files.put("the first half", TestImages.truncated(good));
        files.put("only SOI", new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        return files;
    }

    private static TurboJpeg turbo() {
        StringBuilder whyNot = new StringBuilder();
        Optional<TurboJpeg> turbo = TurboJpeg.load(TurboJpeg.DEFAULT_LIBRARY, whyNot);
        ExternalTools.require(turbo.isPresent(), "GRAYPIPE_REQUIRE_TURBOJPEG", "libturbojpeg.so.0 is missing: " + whyNot);
        return turbo.orElseThrow();
    }

    @Test
    void theBindingChecksEveryLengthAndSizeBeforeTheNativeCall() throws Exception {
        TurboJpeg turbo = turbo();
        byte[] good = TestImages.jpeg(64, 48);
        assertThrows(IllegalArgumentException.class, () -> turbo.decodeGray(good, good.length + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> turbo.decodeGray(good, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> turbo.decodeGray(good, good.length, 0));
        assertThrows(IllegalArgumentException.class, () -> turbo.decodeGray(good, good.length, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> turbo.encodeGray(new byte[10], 4, 4, 90));
        assertThrows(IllegalArgumentException.class, () -> turbo.encodeGray(new byte[16], 65_536, 1, 90));
        assertThrows(IllegalArgumentException.class, () -> turbo.encodeGray(new byte[16], 4, 4, 0));
        assertThrows(TurboJpeg.TurboJpegException.class, () -> turbo.decodeGray(good, 0, 1));

        for (Map.Entry<String, byte[]> file : hostileFiles().entrySet()) {
            byte[] bytes = file.getValue();
            for (double scale : new double[]{1, 0.5, 0.125}) {
                try {
                    TurboJpeg.Gray gray = turbo.decodeGray(bytes, bytes.length, scale, 1_000_000);
                    assertTrue((long) gray.fullWidth() * gray.fullHeight() <= 1_000_000, file.getKey());
                    assertEquals((long) gray.width() * gray.height(), gray.pixels().length, file.getKey());
                } catch (TurboJpeg.TurboJpegException refused) {
                    assertTrue(refused.getMessage() != null, file.getKey());
                }
            }
        }
        TurboJpeg.TurboJpegException overflow = assertThrows(TurboJpeg.TurboJpegException.class, () -> turbo.decodeGray(
                hostileFiles().values().iterator().next(), hostileFiles().values().iterator().next().length, 0.125));
        assertTrue(overflow.getMessage().contains("46341 x 46341"), overflow.getMessage());
        assertEquals(32, turbo.decodeGray(good, good.length, 0.5, 1_000_000).width(), "a good file still decodes");
    }

    @Test
    void theFrontAnswersEachHostileFileAndGoesOnServing() throws Exception {
        turbo();
        try (TestFront front = TestFront.builder().start()) {
            for (Map.Entry<String, byte[]> file : hostileFiles().entrySet()) {
                for (String scale : new String[]{"1", "0.25"}) {
                    HttpResponse<String> answer = post(front.uri("/process?scale=" + scale), file.getValue());
                    int status = answer.statusCode();
                    assertTrue(status == 422 || status == 400 || status == 415, file.getKey() + ": " + status + " "
                            + answer.body());
                }
            }
            HttpResponse<String> good = post(front.uri("/process?scale=0.25"), TestImages.jpeg(640, 480));
            assertEquals(200, good.statusCode(), "the front still serves: " + good.body());
            assertEquals("160", good.headers().firstValue("X-Image-Width").orElse(""));
            assertEquals(200, front.get("/healthz").statusCode());
        }
    }

    private static HttpResponse<String> post(URI uri, byte[] body) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int sofOffset(byte[] jpeg) {
        return markerOffset(jpeg, 0xC0);
    }

    private static int sosOffset(byte[] jpeg) {
        return markerOffset(jpeg, 0xDA);
    }

    /** The offset of the first segment with {@code marker}, walking the segments from SOI. */
    private static int markerOffset(byte[] jpeg, int marker) {
        int pos = 2;
        while (pos + 3 < jpeg.length) {
            int found = jpeg[pos + 1] & 0xff;
            if (found == marker || (marker == 0xC0 && found >= 0xC0 && found <= 0xC2)) {
                return pos;
            }
            pos += 2 + (((jpeg[pos + 2] & 0xff) << 8) | (jpeg[pos + 3] & 0xff));
        }
        throw new IllegalArgumentException("no marker " + Integer.toHexString(marker));
    }
}
