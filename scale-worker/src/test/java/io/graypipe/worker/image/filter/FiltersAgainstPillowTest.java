package io.graypipe.worker.image.filter;

import io.graypipe.protocol.Op;
import io.graypipe.protocol.OpChain;
import io.graypipe.worker.image.PlanarRaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every Pillow-defined op against Pillow's own output, pixel by pixel, ±2 levels away from the one-pixel
 * border: on gray, on the RGB that sepia makes, and on gray+alpha (Pillow on the gray channel; alpha must be
 * kept). Pillow runs as Debian's /usr/bin/python3 with python3-pil: one {@code pillow_reference.py} process for
 * the whole class, fed a job a line.
 * Without it the tests skip, unless {@code GRAYPIPE_REQUIRE_PILLOW=1}, as in CI, makes them fail.
 */
class FiltersAgainstPillowTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final int TOLERANCE = 2;
    private static final int W = 97;
    private static final int H = 61;

    @TempDir
    static Path dir;
    private static Process pillow;
    private static BufferedReader answers;
    private static Writer jobs;

    @BeforeAll
    static void startPillow() throws Exception {
        boolean available = Files.isExecutable(Path.of(PYTHON)) && new ProcessBuilder(PYTHON, "-c", "import PIL")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        String why = PYTHON + " cannot import PIL; install Debian's python3-pil";
        if ("1".equals(System.getenv("GRAYPIPE_REQUIRE_PILLOW"))) {
            Assertions.assertTrue(available, "GRAYPIPE_REQUIRE_PILLOW=1 but " + why);
        } else {
            Assumptions.assumeTrue(available, "skipped: " + why + " (GRAYPIPE_REQUIRE_PILLOW=1 makes this fail)");
        }
        Path script = dir.resolve("pillow_reference.py");
        try (InputStream in = FiltersAgainstPillowTest.class.getResourceAsStream("/pillow_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        pillow = new ProcessBuilder(PYTHON, script.toString()).redirectErrorStream(true).start();
        answers = new BufferedReader(new InputStreamReader(pillow.getInputStream(), StandardCharsets.UTF_8));
        jobs = new OutputStreamWriter(pillow.getOutputStream(), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopPillow() throws Exception {
        if (pillow != null) {
            jobs.close(); // end of input: the script exits
            if (!pillow.waitFor(30, TimeUnit.SECONDS)) {
                pillow.destroyForcibly();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"invert", "brightness:0", "brightness:0.7", "brightness:1.3", "brightness:4",
            "contrast:0", "contrast:0.5", "contrast:1.5", "contrast:4", "blur:0.3", "blur:1", "blur:2.5", "blur:7",
            "blur:50", "edges", "emboss", "posterize:1", "posterize:3", "posterize:8"})
    void grayMatchesPillow(String chain) throws Exception {
        PlanarRaster source = TestRasters.gray(W, H, 11);
        PlanarRaster ours = FilterChain.apply(source, OpChain.parse(chain).ops());
        byte[] pillow = pillow("L", W, H, source.plane(0), chain);
        TestRasters.assertClose(pillow, ours.plane(0), W, H, 1, TOLERANCE, chain);
    }

    @ParameterizedTest
    @ValueSource(strings = {"invert", "brightness:1.3", "contrast:0.5", "contrast:1.5", "blur:2", "edges", "emboss",
            "posterize:2"})
    void colourAfterSepiaMatchesPillowOnRgb(String chain) throws Exception {
        PlanarRaster sepia = FilterChain.apply(TestRasters.gray(W, H, 12), OpChain.parse("sepia").ops());
        PlanarRaster ours = FilterChain.apply(sepia, OpChain.parse(chain).ops());
        byte[] pillow = pillow("RGB", W, H, sepia.interleaved(), chain);
        for (int c = 0; c < 3; c++) {
            TestRasters.assertClose(plane(pillow, 3, c), ours.plane(c), W, H, 1, TOLERANCE, chain + " channel " + c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"invert", "contrast:1.5", "blur:3", "edges", "posterize:4"})
    void grayAlphaFiltersTheGrayAndKeepsAlpha(String chain) throws Exception {
        PlanarRaster source = TestRasters.grayAlpha(W, H, 13);
        PlanarRaster ours = FilterChain.apply(source, OpChain.parse(chain).ops());
        byte[] pillow = pillow("L", W, H, source.plane(0), chain);
        TestRasters.assertClose(pillow, ours.plane(0), W, H, 1, TOLERANCE, chain);
        assertArrayEquals(source.alpha(), ours.alpha(), chain + " keeps alpha");
    }

    /** Blur extends edges like Pillow, so it matches on the border too, even where σ dwarfs the image. */
    @Test
    void blurMatchesPillowOnTheBorderAndOnTinyImages() throws Exception {
        int[][] sizes = {{W, H}, {1, 1}, {2, 7}, {3, 2}, {9, 4}};
        for (int[] size : sizes) {
            for (String chain : List.of("blur:0.6", "blur:4", "blur:50")) {
                PlanarRaster source = TestRasters.gray(size[0], size[1], 14);
                PlanarRaster ours = FilterChain.apply(source, OpChain.parse(chain).ops());
                byte[] pillow = pillow("L", size[0], size[1], source.plane(0), chain);
                TestRasters.assertClose(pillow, ours.plane(0), size[0], size[1], 0, 0,
                        chain + " on " + size[0] + "x" + size[1]);
            }
        }
    }

    /** Edges and emboss keep the one-pixel border, as Pillow's 3×3 filters do. */
    @Test
    void kernelsMatchPillowExactlyBorderIncluded() throws Exception {
        for (String chain : List.of("edges", "emboss")) {
            for (int[] size : new int[][]{{W, H}, {2, 5}, {3, 3}}) {
                PlanarRaster source = TestRasters.gray(size[0], size[1], 15);
                PlanarRaster ours = FilterChain.apply(source, OpChain.parse(chain).ops());
                byte[] pillow = pillow("L", size[0], size[1], source.plane(0), chain);
                TestRasters.assertClose(pillow, ours.plane(0), size[0], size[1], 0, 0, chain);
            }
        }
    }

    /** Sharpen's blur is Pillow's GaussianBlur(1); the formula on top of it is computed here independently. */
    @ParameterizedTest
    @ValueSource(doubles = {0.25, 1, 2.5, 5})
    void sharpenIsTheUnsharpMaskOfPillowsBlur(double amount) throws Exception {
        PlanarRaster source = TestRasters.gray(W, H, 16);
        byte[] blurred = pillow("L", W, H, source.plane(0), "blur:1");
        byte[] expected = new byte[W * H];
        for (int i = 0; i < expected.length; i++) {
            int v = source.plane(0)[i] & 0xff;
            double sharpened = v + amount * (v - (blurred[i] & 0xff));
            expected[i] = (byte) Math.max(0, Math.min(255, Math.round(sharpened)));
        }
        PlanarRaster ours = FilterChain.apply(source, List.of(Op.of(io.graypipe.protocol.OpKind.SHARPEN, amount)));
        TestRasters.assertClose(expected, ours.plane(0), W, H, 1, TOLERANCE, "sharpen:" + amount);
    }

    @Test
    void contrastUsesPillowsMeanOfTheLConversionOnRgb() throws Exception {
        PlanarRaster sepia = FilterChain.apply(TestRasters.gray(W, H, 17), OpChain.parse("sepia").ops());
        byte[] flat = pillow("RGB", W, H, sepia.interleaved(), "contrast:0");
        assertEquals(flat[0] & 0xff, PointOps.meanLevel(sepia));
    }

    private static byte[] plane(byte[] interleaved, int channels, int c) {
        byte[] out = new byte[interleaved.length / channels];
        for (int i = 0; i < out.length; i++) {
            out[i] = interleaved[i * channels + c];
        }
        return out;
    }

    /** Pillow's result for one op written in chain syntax ({@code blur:2}). */
    private static byte[] pillow(String mode, int w, int h, byte[] pixels, String op) throws Exception {
        Path in = Files.createTempFile(dir, "in", ".raw");
        Path out = Files.createTempFile(dir, "out", ".raw");
        Files.write(in, pixels);
        String job = String.join(" ", mode, Integer.toString(w), Integer.toString(h), in.toString(), out.toString(),
                op.replace(':', ' '));
        jobs.write(job + "\n");
        jobs.flush();
        assertEquals("ok", answers.readLine(), "pillow_reference.py " + job);
        return Files.readAllBytes(out);
    }
}
