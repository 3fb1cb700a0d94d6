package io.graypipe.front.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebP and AVIF through a real front and scale-worker: outputs that the codecs' own decoders ({@code dwebp},
 * {@code avifdec}) read and that agree with the gray reference (the PNG output) within each codec's loss,
 * {@code format=auto} from the Accept header, WebP and AVIF uploads, and a worker without libavif. Skipped without
 * the tools unless GRAYPIPE_REQUIRE_WEBP_TOOLS / GRAYPIPE_REQUIRE_AVIF_TOOLS is set.
 */
class ModernFormatsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestFront front;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.require(onPath("dwebp"), "GRAYPIPE_REQUIRE_WEBP_TOOLS", "dwebp is missing: install Debian's webp");
        ExternalTools.require(onPath("avifdec"), "GRAYPIPE_REQUIRE_AVIF_TOOLS",
                "avifdec is missing: install Debian's libavif-bin");
        front = TestFront.builder().start();
        JsonNode formats = JSON.readTree(front.get("/formats").body());
        ExternalTools.require(formats.path("writes").toString().contains("avif")
                        && formats.path("writes").toString().contains("webp"), "GRAYPIPE_REQUIRE_AVIF_TOOLS",
                "the worker could not load libwebp.so.7 and libavif.so.15: install Debian's libwebp7 and libavif15");
    }

    @AfterAll
    static void stop() throws IOException {
        if (front != null) {
            front.close();
        }
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static HttpResponse<byte[]> process(TestFront target, String query, byte[] image, String accept)
            throws IOException, InterruptedException {
        Multipart body = new Multipart().file("image", "upload", "application/octet-stream", image);
        HttpRequest.Builder request = HttpRequest.newBuilder(target.uri("/process?" + query))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", body.contentType()).POST(body.publisher());
        if (accept != null) {
            request.header("Accept", accept);
        }
        return target.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] ok(HttpResponse<byte[]> response, String mediaType) {
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertEquals(mediaType, response.headers().firstValue("Content-Type").orElse(""));
        return response.body();
    }

    /** Gray levels of a decoded image; a colour one must have R = G = B within 1. */
    private static int[] gray(BufferedImage image) {
        Raster raster = image.getRaster();
        int[] out = new int[image.getWidth() * image.getHeight()];
        for (int y = 0, i = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++, i++) {
                int[] s = raster.getPixel(x, y, (int[]) null);
                if (s.length >= 3) {
                    assertTrue(Math.abs(s[0] - s[1]) <= 1 && Math.abs(s[1] - s[2]) <= 1, "not gray: " + s[0] + "," + s[1] + "," + s[2]);
                }
                out[i] = s.length >= 3 ? s[1] : s[0];
            }
        }
        return out;
    }

    /** Decodes a WebP or AVIF with the codec's own tool, to PNG, and reads its gray levels. */
    private int[] decodeWithTool(byte[] file, String format) throws IOException, InterruptedException {
        Path in = dir.resolve("out." + format);
        Path out = dir.resolve(format + "-" + System.nanoTime() + ".png");
        Files.write(in, file);
        ProcessBuilder tool = format.equals("webp") ? new ProcessBuilder("dwebp", in.toString(), "-o", out.toString())
                : new ProcessBuilder("avifdec", in.toString(), out.toString());
        Process process = tool.redirectErrorStream(true).redirectOutput(dir.resolve("tool.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), format + " decoder hung");
        assertEquals(0, process.exitValue(), () -> format + " decoder: " + read(dir.resolve("tool.log")));
        return gray(ImageIO.read(out.toFile()));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int[] decodeWithImageIo(byte[] file) throws IOException {
        return gray(ImageIO.read(new ByteArrayInputStream(file)));
    }

    /** {max, mean × 100} of the absolute differences. */
    private static int[] difference(int[] reference, int[] other) {
        assertEquals(reference.length, other.length, "same size");
        int max = 0;
        long sum = 0;
        for (int i = 0; i < reference.length; i++) {
            int d = Math.abs(reference[i] - other[i]);
            max = Math.max(max, d);
            sum += d;
        }
        return new int[]{max, (int) (sum * 100 / reference.length)};
    }

    private static void assertWithin(int[] reference, int[] decoded, int maxDifference, double meanDifference,
                                     String what) {
        int[] d = difference(reference, decoded);
        assertTrue(d[0] <= maxDifference && d[1] <= meanDifference * 100, what + ": largest difference " + d[0]
                + " levels (limit " + maxDifference + "), mean " + d[1] / 100.0 + " (limit " + meanDifference + ")");
    }

    /**
     * At quality 90 on a noisy photo (the hardest case for a codec): at most 24 levels apart anywhere and 4 on
     * average. Measured on 2026-12-07: JPEG 15 / 2.55, WebP 10 / 1.62, AVIF 4 / 0.86.
     */
    @Test
    void grayJpegWebpAndAvifAgreeWithTheGrayReference() throws Exception {
        byte[] photo = TestImages.jpeg(TestImages.noisyPhoto(400, 300, 7), 0.95f, false);
        int[] reference = decodeWithImageIo(ok(process(front, "scale=0.5&format=png", photo, null), "image/png"));
        assertEquals(200 * 150, reference.length);
        assertWithin(reference, decodeWithImageIo(ok(process(front, "scale=0.5&format=jpeg&quality=90", photo, null),
                "image/jpeg")), 24, 4.0, "JPEG quality 90");
        assertWithin(reference, decodeWithTool(ok(process(front, "scale=0.5&format=webp&quality=90", photo, null),
                "image/webp"), "webp"), 24, 4.0, "WebP quality 90");
        assertWithin(reference, decodeWithTool(ok(process(front, "scale=0.5&format=avif&quality=90", photo, null),
                "image/avif"), "avif"), 24, 4.0, "AVIF quality 90");
        assertArrayEquals(reference, decodeWithTool(ok(process(front, "scale=0.5&format=webp&lossless=true", photo,
                null), "image/webp"), "webp"), "lossless WebP is the reference exactly");
        assertArrayEquals(reference, decodeWithTool(ok(process(front, "scale=0.5&format=avif&quality=100", photo,
                null), "image/avif"), "avif"), "AVIF at quality 100 (4:0:0, quantizer 0) is the reference exactly");
    }

    @Test
    void formatAutoFollowsTheAcceptHeader() throws Exception {
        byte[] jpeg = TestImages.jpeg(40, 30);
        HttpResponse<byte[]> browser = process(front, "format=auto", jpeg, "image/avif,image/webp,*/*");
        ok(browser, "image/avif");
        assertEquals("Accept", browser.headers().firstValue("Vary").orElse(""));
        HttpResponse<byte[]> webpOnly = process(front, "format=auto", jpeg, "image/webp");
        ok(webpOnly, "image/webp");
        assertEquals("Accept", webpOnly.headers().firstValue("Vary").orElse(""));
        ok(process(front, "format=auto", jpeg, "image/avif;q=0, image/webp;q=0.8"), "image/webp");
        ok(process(front, "format=auto", jpeg, "*/*"), "image/jpeg");
        ok(process(front, "format=auto", jpeg, null), "image/jpeg");
        HttpResponse<byte[]> plain = process(front, "", jpeg, "image/avif,image/webp,*/*");
        ok(plain, "image/jpeg");
        assertTrue(plain.headers().firstValue("Vary").isEmpty(), "no format=auto, no Vary");
        byte[] withAlpha = TestImages.write(TestImages.grayAlpha(40, 30, 8), "png");
        byte[] png = ok(process(front, "format=auto", withAlpha, "*/*"), "image/png");
        assertEquals(2, ImageIO.read(new ByteArrayInputStream(png)).getRaster().getNumBands(), "alpha survives");
    }

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = ModernFormatsHttpTest.class.getResourceAsStream(
                "ImageFuzzTestInputs/decodeToGrayWithProductionLimits/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void webpAndAvifUploadsAreProcessedLikeTheOtherFormats() throws Exception {
        for (String name : new String[]{"webp-lossy", "webp-lossless-alpha", "webp-animated", "avif-rgb",
                "avif-gray-alpha"}) {
            HttpResponse<byte[]> answer = process(front, "scale=0.5", seed(name), null);
            BufferedImage out = ImageIO.read(new ByteArrayInputStream(ok(answer, "image/png")));
            assertEquals(name.equals("webp-animated") ? 8 : 12, out.getWidth(), name);
            HttpResponse<byte[]> truncated = process(front, "scale=0.5", TestImages.truncated(seed(name)), null);
            assertEquals(422, truncated.statusCode(), name);
            assertEquals("undecodable_image", JSON.readTree(truncated.body()).path("error").path("code").asText(), name);
        }
        HttpResponse<byte[]> bad = process(front, "format=webp&lossless=perhaps", seed("webp-lossy"), null);
        assertEquals(400, bad.statusCode());
    }

    @Test
    void withLibavifHiddenAvifIs501AndAutoStillAnswers() throws Exception {
        try (TestFront noAvif = TestFront.builder().option("--avif-library", "off").start()) {
            byte[] jpeg = TestImages.jpeg(40, 30);
            HttpResponse<byte[]> refused = process(noAvif, "format=avif", jpeg, null);
            assertEquals(501, refused.statusCode());
            JsonNode error = JSON.readTree(refused.body()).path("error");
            assertEquals("format_unavailable", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("libavif15"), error.toString());
            ok(process(noAvif, "format=auto", jpeg, "image/avif,image/webp,*/*"), "image/webp");
            ok(process(noAvif, "format=webp", jpeg, null), "image/webp");
            JsonNode formats = JSON.readTree(noAvif.get("/formats").body());
            assertEquals("[\"jpeg\",\"png\",\"webp\"]", formats.path("writes").toString());
            assertTrue(formats.path("missing").toString().contains("libavif15"), formats.toString());
            assertEquals(formats, JSON.readTree(noAvif.get("/stats").body()).path("formats"));
            HttpResponse<byte[]> upload = process(noAvif, "", seed("avif-rgb"), null);
            assertEquals(415, upload.statusCode());
        }
    }
}
