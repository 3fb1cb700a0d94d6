package io.graypipe.front.image;

import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.CodecException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AVIF and WebP files made to crash a naive decoder binding (docs/security.md, "Native code on untrusted input"),
 * the counterpart of {@link HostileJpegTest}: an AVIF whose container claims a size other than its AV1 frame's (a
 * binding that sizes its output from the header and converts the frame into it overflows the buffer), sizes that
 * overflow an {@code int}, zero sizes, cuts; WebPs whose RIFF, VP8, VP8L, VP8X and ANMF headers claim sizes far from
 * their data. They go to libavif's binding itself, which refuses each before any pixel is written, and to a real
 * front, which answers each with a 4xx and goes on serving.
 */
class HostileModernImagesTest {
    /** 46341 x 46341 = 2,147,488,281 pixels: one past what an int holds, so a naive width * height wraps negative. */
    private static final int OVERFLOWING_SIDE = 46_341;

    static Map<String, byte[]> hostileAvifs() {
        byte[] good = seed("avif-rgb"); // 24 x 16
        int ispe = indexOf(good, "ispe");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("ispe claiming 8 x 8 for a 24 x 16 frame (a binding that converted the frame as it is into a buffer"
                + " sized from the header would overflow it)",
                patchIspe(good, ispe, 8, 8));
        files.put("ispe claiming 46341 x 46341 (int overflow)", patchIspe(good, ispe, OVERFLOWING_SIDE, OVERFLOWING_SIDE));
        files.put("ispe claiming 4096 x 4096 for a 24 x 16 frame", patchIspe(good, ispe, 4096, 4096));
        files.put("ispe claiming 0 x 16", patchIspe(good, ispe, 0, 16));
        files.put("ispe claiming 24 x 0", patchIspe(good, ispe, 24, 0));
        files.put("ispe claiming 4294967295 x 1", patchIspe(good, ispe, -1, 1));
        files.put("cut in the mdat", Arrays.copyOf(good, good.length - 20));
        files.put("cut after ftyp", Arrays.copyOf(good, 32));
        files.put("the first half", TestImages.truncated(good));
        return files;
    }

    static Map<String, byte[]> hostileWebps() {
        byte[] lossy = seed("webp-lossy");         // VP8, 24 x 16
        byte[] lossless = seed("webp-lossless-alpha"); // VP8L
        byte[] animated = seed("webp-animated");   // VP8X + ANMF frames
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("VP8 frame claiming 16383 x 16383", patchLe(patchLe(lossy, 26, 2, 16383), 28, 2, 16383));
        files.put("VP8 frame claiming 0 x 0", patchLe(patchLe(lossy, 26, 2, 0), 28, 2, 0));
        // VP8L: after the 0x2f signature, 14 bits of width - 1 and 14 of height - 1.
        files.put("VP8L claiming 16384 x 16384", patchLe(lossless, 21, 4, (16383 | 16383 << 14)
                | (leInt(lossless, 21, 4) & ~((1 << 28) - 1))));
        files.put("VP8X canvas 16777216 x 16777216 with 15 x 11 frames", patchLe(patchLe(animated, 24, 3, 0xffffff), 27, 3,
                0xffffff));
        files.put("ANMF frame 16384 x 16384 on a 15 x 11 canvas", patchLe(patchLe(animated, 58, 3, 16383), 61, 3, 16383));
        files.put("RIFF size past the end", patchLe(lossy, 4, 4, 0x7ffffff0));
        files.put("VP8 chunk size past the end", patchLe(lossy, 16, 4, 0x7ffffff0));
        files.put("lossy, the first half", TestImages.truncated(lossy));
        files.put("lossless, the first half", TestImages.truncated(lossless));
        files.put("animated, cut in the second frame", Arrays.copyOf(animated, animated.length - 20));
        return files;
    }

    private static Avif avif() {
        StringBuilder whyNot = new StringBuilder();
        Optional<Avif> avif = Avif.load(Avif.DEFAULT_LIBRARY, whyNot);
        ExternalTools.require(avif.isPresent(), "GRAYPIPE_REQUIRE_AVIF_TOOLS", "libavif.so.15 is missing: " + whyNot);
        return avif.orElseThrow();
    }

    @Test
    void libavifsBindingChecksEverySizeBeforeAPixelIsWritten() throws Exception {
        Avif avif = avif();
        byte[] good = seed("avif-rgb");
        assertThrows(IllegalArgumentException.class, () -> avif.decode(good, good.length + 1, 4096, h -> { }));
        assertThrows(IllegalArgumentException.class, () -> avif.decode(good, -1, 4096, h -> { }));
        assertThrows(IllegalArgumentException.class, () -> avif.decode(good, good.length, 0, h -> { }));
        assertThrows(CodecException.class, () -> avif.decode(good, 0, 4096, h -> { }));
        // libavif 0.11 scales a frame to its container's size (ispe): the output is the header's 8 x 8, whatever
        // size the AV1 frame has, and the binding's buffer is exactly that.
        byte[] smallHeader = hostileAvifs().values().iterator().next();
        Avif.Rgba scaled = avif.decode(smallHeader, smallHeader.length, 50_000_000, h -> { });
        assertEquals("8x8 " + 8 * 8 * 4, scaled.width() + "x" + scaled.height() + " " + scaled.pixels().length);
        // libavif's own limit, set from the caller's once the header passed: the header fits 100 pixels, the
        // 24 x 16 frame does not, and dav1d refuses it before allocating it.
        CodecException frameTooLarge = assertThrows(CodecException.class,
                () -> avif.decode(smallHeader, smallHeader.length, 100, h -> { }));
        assertTrue(frameTooLarge.getMessage().contains("decoding"), frameTooLarge.getMessage());
        assertThrows(CodecException.class, () -> avif.decode(good, good.length, 24 * 16 - 1, h -> { }));
        for (Map.Entry<String, byte[]> file : hostileAvifs().entrySet()) {
            byte[] bytes = file.getValue();
            try {
                Avif.Rgba rgba = avif.decode(bytes, bytes.length, 1_000_000, header -> {
                    assertTrue(header.width() > 0 && header.height() > 0, file.getKey());
                });
                assertEquals((long) rgba.width() * rgba.height() * 4, rgba.pixels().length, file.getKey());
            } catch (CodecException refused) {
                assertTrue(refused.getMessage() != null, file.getKey());
            }
        }
        assertEquals(24, avif.decode(good, good.length, 4096, h -> { }).width(), "a good file still decodes");
    }

    @Test
    void theFrontAnswersEachHostileFileAndGoesOnServing() throws Exception {
        avif();
        Map<String, byte[]> files = new LinkedHashMap<>(hostileAvifs());
        files.putAll(hostileWebps());
        try (TestFront front = TestFront.builder().start()) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                // Some are images within the limits like any other, and may be answered 200: libavif scales a 24 x 16
                // frame to its header's 8 x 8 or 4096 x 4096 (see above); TwelveMonkeys decodes an animated WebP's
                // first frame at that frame's size, never allocating the canvas, and reads a VP8 frame that is all
                // there whatever the RIFF and chunk sizes say, or a whole first frame before a cut one (/info,
                // stricter, refuses those); /info reads the canvas size, not the frames'.
                boolean mayDecode = file.getKey().contains("for a 24 x 16 frame") || file.getKey().startsWith("VP8X")
                        || file.getKey().startsWith("ANMF") || file.getKey().contains("size past the end")
                        || file.getKey().contains("cut in the second frame");
                for (String path : new String[]{"/process?scale=0.5", "/info"}) {
                    HttpResponse<String> answer = post(front.uri(path), file.getValue());
                    int status = answer.statusCode();
                    assertTrue(mayDecode && status == 200 || status == 422 || status == 413 || status == 400
                            || status == 415, file.getKey() + " on " + path + ": " + status + " " + answer.body());
                }
            }
            HttpResponse<String> good = post(front.uri("/process?scale=0.5"), seed("avif-rgb"));
            assertEquals(200, good.statusCode(), "the front still serves: " + good.body());
            assertEquals("12", good.headers().firstValue("X-Image-Width").orElse(""));
            assertEquals(200, post(front.uri("/process?scale=0.5"), seed("webp-lossy")).statusCode());
            assertEquals(200, front.get("/healthz").statusCode());
        }
    }

    private static HttpResponse<String> post(URI uri, byte[] body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("Content-Type", "image/*")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A seed of the decoder's fuzz targets: small files of each variant, made with cwebp, img2webp and avifenc. */
    private static byte[] seed(String name) {
        try (InputStream in = HostileModernImagesTest.class.getResourceAsStream(
                "ImageFuzzTestInputs/decodeToGrayWithProductionLimits/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] patchIspe(byte[] avif, int ispe, int width, int height) {
        byte[] out = avif.clone();
        for (int i = 0; i < 4; i++) {
            out[ispe + 12 + i] = (byte) (width >>> (24 - 8 * i));
            out[ispe + 16 + i] = (byte) (height >>> (24 - 8 * i));
        }
        return out;
    }

    private static byte[] patchLe(byte[] data, int offset, int bytes, int value) {
        byte[] out = data.clone();
        for (int i = 0; i < bytes; i++) {
            out[offset + i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    private static int leInt(byte[] data, int offset, int bytes) {
        int value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (data[offset + i] & 0xff) << (8 * i);
        }
        return value;
    }

    /** The offset of the box whose type is {@code type}: its size field, 4 bytes before the type. */
    private static int indexOf(byte[] data, String type) {
        byte[] needle = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 4; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i - 4;
        }
        throw new IllegalArgumentException("no box " + type);
    }
}
