package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebP and AVIF from the worker's encoder, decoded by the codecs' own command-line decoders ({@code dwebp},
 * {@code avifdec}): gray stays gray, alpha survives, lossless WebP and quality-100 AVIF (4:0:0, quantizer 0) are
 * exact, lossy ones stay within a few levels. Skipped without the libraries and tools unless
 * GRAYPIPE_REQUIRE_WEBP_TOOLS / GRAYPIPE_REQUIRE_AVIF_TOOLS is set.
 */
class ModernFormatsEncodingTest {
    @TempDir
    Path dir;

    private static <T> T require(Optional<T> codec, String env, String tool, String packages) {
        boolean available = codec.isPresent() && onPath(tool);
        String how = "needs the library and " + tool + ": install Debian's " + packages;
        if (System.getenv(env) != null) {
            Assertions.assertTrue(available, env + " is set but it " + how);
        } else {
            Assumptions.assumeTrue(available, how);
        }
        return codec.orElseThrow();
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Encoders webp() {
        return new Encoders(null, require(WebP.load(WebP.DEFAULT_LIBRARY, new StringBuilder()),
                "GRAYPIPE_REQUIRE_WEBP_TOOLS", "dwebp", "libwebp7 and webp"), null);
    }

    private static Encoders avif() {
        return new Encoders(null, null, require(Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder()),
                "GRAYPIPE_REQUIRE_AVIF_TOOLS", "avifdec", "libavif15 and libavif-bin"));
    }

    /** A gradient with an edge and a ramp of alpha when asked for. */
    static ImageData sample(int w, int h, boolean alpha) {
        int bpp = alpha ? 2 : 1;
        byte[] data = new byte[w * h * bpp];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * bpp;
                data[i] = (byte) ((x * 255 / (w - 1) + (y > h / 2 ? 40 : 0)) % 256);
                if (alpha) {
                    data[i + 1] = (byte) (y * 255 / (h - 1));
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, data);
    }

    /** Decodes with the codec's own tool to PNG and reads that back. */
    private BufferedImage decode(byte[] encoded, OutputFormat format) throws IOException, InterruptedException {
        Path in = dir.resolve("in." + format.extension());
        Path out = dir.resolve("out-" + System.nanoTime() + ".png");
        Files.write(in, encoded);
        ProcessBuilder tool = format == OutputFormat.WEBP
                ? new ProcessBuilder("dwebp", in.toString(), "-o", out.toString())
                : new ProcessBuilder("avifdec", in.toString(), out.toString());
        Process process = tool.redirectErrorStream(true).redirectOutput(dir.resolve("tool.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0,
                () -> format.label() + " decoder failed: " + read(dir.resolve("tool.log")));
        return ImageIO.read(out.toFile());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * The pixel's samples as ARGB, straight from the raster: {@code getRGB} would convert a gray PNG's linear gray
     * colour space to sRGB.
     */
    static int argb(BufferedImage image, int x, int y) {
        int[] s = image.getRaster().getPixel(x, y, (int[]) null);
        return switch (s.length) {
            case 1 -> 0xff000000 | s[0] << 16 | s[0] << 8 | s[0];
            case 2 -> s[1] << 24 | s[0] << 16 | s[0] << 8 | s[0];
            case 3 -> 0xff000000 | s[0] << 16 | s[1] << 8 | s[2];
            default -> s[3] << 24 | s[0] << 16 | s[1] << 8 | s[2];
        };
    }

    /** Largest difference between the decoded image and {@code source}, checking that R = G = B within 1. */
    private static int grayDifference(ImageData source, BufferedImage decoded, boolean alpha) {
        assertEquals(source.width(), decoded.getWidth());
        assertEquals(source.height(), decoded.getHeight());
        int bpp = alpha ? 2 : 1;
        int worst = 0;
        for (int y = 0; y < source.height(); y++) {
            for (int x = 0; x < source.width(); x++) {
                int argb = argb(decoded, x, y);
                int r = (argb >> 16) & 0xff;
                int g = (argb >> 8) & 0xff;
                int b = argb & 0xff;
                assertTrue(Math.abs(r - g) <= 1 && Math.abs(g - b) <= 1, "not gray at " + x + "," + y + ": " + r + "," + g + "," + b);
                int i = (y * source.width() + x) * bpp;
                if (alpha) {
                    assertEquals(source.data()[i + 1] & 0xff, argb >>> 24, "alpha at " + x + "," + y);
                    if ((source.data()[i + 1] & 0xff) == 0) {
                        continue; // a fully transparent pixel's colour carries nothing
                    }
                }
                worst = Math.max(worst, Math.abs(g - (source.data()[i] & 0xff)));
            }
        }
        return worst;
    }

    @Test
    void webpLosslessIsExactAndLossyStaysGrayAndClose() throws Exception {
        Encoders codecs = webp();
        ImageData gray = sample(97, 61, false);
        assertEquals(0, grayDifference(gray, decode(ImageEncoder.encode(gray, OutputFormat.WEBP, 90, true, codecs),
                OutputFormat.WEBP), false));
        int lossy = grayDifference(gray, decode(ImageEncoder.encode(gray, OutputFormat.WEBP, 90, false, codecs),
                OutputFormat.WEBP), false);
        assertTrue(lossy <= 24, "lossy WebP at quality 90 differs by " + lossy);
        ImageData withAlpha = sample(64, 48, true);
        assertEquals(0, grayDifference(withAlpha, decode(ImageEncoder.encode(withAlpha, OutputFormat.WEBP, 90, true,
                codecs), OutputFormat.WEBP), true));
    }

    @Test
    void avifIsGrayKeepsAlphaAndQuality100IsExact() throws Exception {
        Encoders codecs = avif();
        ImageData gray = sample(97, 61, false);
        assertEquals(0, grayDifference(gray, decode(ImageEncoder.encode(gray, OutputFormat.AVIF, 100, false, codecs),
                OutputFormat.AVIF), false));
        int lossy = grayDifference(gray, decode(ImageEncoder.encode(gray, OutputFormat.AVIF, 60, false, codecs),
                OutputFormat.AVIF), false);
        assertTrue(lossy <= 24, "AVIF at quality 60 differs by " + lossy);
        ImageData withAlpha = sample(64, 48, true);
        assertTrue(grayDifference(withAlpha, decode(ImageEncoder.encode(withAlpha, OutputFormat.AVIF, 80, false,
                codecs), OutputFormat.AVIF), true) <= 24);
    }

    @Test
    void colourRastersStayColour() throws Exception {
        for (Encoders codecs : new Encoders[]{webp(), avif()}) {
            OutputFormat format = codecs.webp() != null ? OutputFormat.WEBP : OutputFormat.AVIF;
            PlanarRaster sepia = io.graypipe.worker.image.filter.FilterChain.apply(PlanarRaster.of(sample(40, 30, false)),
                    java.util.List.of(io.graypipe.protocol.Op.of(io.graypipe.protocol.OpKind.SEPIA)));
            BufferedImage decoded = decode(ImageEncoder.encode(sepia, format, 95, false, codecs), format);
            int argb = argb(decoded, 20, 10);
            assertTrue(((argb >> 16) & 0xff) - (argb & 0xff) > 20, format.label() + " lost the sepia tint: "
                    + Integer.toHexString(argb));
        }
    }

    @Test
    void withoutTheLibraryTheFormatIsRefused() {
        assertTrue(!Encoders.NONE.encodes(OutputFormat.AVIF) && !Encoders.NONE.encodes(OutputFormat.WEBP));
        IllegalStateException e = Assertions.assertThrows(IllegalStateException.class,
                () -> ImageEncoder.encode(sample(4, 4, false), OutputFormat.AVIF, 80, false, Encoders.NONE));
        assertTrue(e.getMessage().contains("libavif15"), e.getMessage());
        io.graypipe.protocol.Message answer = io.graypipe.worker.ScaleJob.run(io.graypipe.protocol.ScaleRequest.scale(
                3, 2, 2, OutputFormat.WEBP, 80, 1_000, sample(4, 4, false)), io.graypipe.protocol.ExecutionMode.THREADS,
                null, Encoders.NONE);
        io.graypipe.protocol.ErrorMessage error = Assertions.assertInstanceOf(io.graypipe.protocol.ErrorMessage.class, answer);
        assertEquals(io.graypipe.protocol.ErrorCode.UNSUPPORTED_FORMAT, error.code());
        assertTrue(error.message().contains("libwebp7"), error.message());
    }
}
