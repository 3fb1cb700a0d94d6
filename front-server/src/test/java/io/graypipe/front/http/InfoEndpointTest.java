package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.image.ImageInspector;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /info} against the references, on real files made here with Pillow, exiftool, cwebp, img2webp and
 * avifenc: EXIF orientations in both byte orders (JPEG APP1 and PNG eXIf), gray, CMYK, an ICC profile, 16-bit,
 * palette, alpha, an animated GIF and WebP, AVIF. Each answer must agree with {@code exiftool -j -n} and, for the
 * formats it reads, Pillow. Broken uploads get the answer {@code /process} gives, and a 50-megapixel JPEG's info
 * costs a header read. The tools are required in CI ({@code GRAYPIPE_REQUIRE_EXIFTOOL}, {@code _PILLOW},
 * {@code _WEBP}, {@code _AVIF}).
 */
class InfoEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON = "/usr/bin/python3";
    private static final List<String> FILES = List.of("camera.jpg", "orient3.jpg", "orient8.jpg", "gray.jpg",
            "cmyk.jpg", "icc.jpg", "alpha.png", "gray16.png", "palette.png", "orient6.png", "anim.gif", "photo.webp",
            "alpha.webp", "anim.webp", "photo.avif", "alpha.avif");

    private static Path dir;
    private static TestFront front;
    private static final Map<String, JsonNode> exiftool = new HashMap<>();
    private static JsonNode pillow;

    @BeforeAll
    static void makeImagesAndStartFront() throws Exception {
        ExternalTools.require(pillowAvailable(), "GRAYPIPE_REQUIRE_PILLOW", PYTHON + " cannot import PIL; install Debian's python3-pil");
        ExternalTools.require(onPath("exiftool"), "GRAYPIPE_REQUIRE_EXIFTOOL", "exiftool is missing; install libimage-exiftool-perl");
        ExternalTools.require(onPath("cwebp") && onPath("img2webp"), "GRAYPIPE_REQUIRE_WEBP_TOOLS", "cwebp/img2webp are missing; install webp");
        ExternalTools.require(onPath("avifenc"), "GRAYPIPE_REQUIRE_AVIF_TOOLS", "avifenc is missing; install libavif-bin");
        dir = Files.createTempDirectory("graypipe-info");
        run(PYTHON, script("make_images.py"), dir.toString());
        run("exiftool", "-q", "-overwrite_original", "-Orientation#=6", "-Make=Canon", "-Model=EOS 5D Mark IV",
                "-DateTimeOriginal=2024:05:06 07:08:09", "-ExposureTime=0.004", "-FNumber=2.8", "-ISO=200",
                "-GPSLatitude=33.5", "-GPSLatitudeRef=S", "-GPSLongitude=151.25", "-GPSLongitudeRef=E", file("camera.jpg"));
        run("exiftool", "-q", "-overwrite_original", "-ExifByteOrder=II", "-Orientation#=3", file("orient3.jpg"));
        run("exiftool", "-q", "-overwrite_original", "-ExifByteOrder=MM", "-Orientation#=8", file("orient8.jpg"));
        run("exiftool", "-q", "-overwrite_original", "-Orientation#=6", "-Make=graypipe", file("orient6.png"));
        run("cwebp", "-quiet", "-q", "80", file("rgb.png"), "-o", file("photo.webp"));
        run("cwebp", "-quiet", "-q", "80", file("alpha.png"), "-o", file("alpha.webp"));
        run("img2webp", "-loop", "0", "-lossy", file("rgb.png"), file("frame2.png"), "-o", file("anim.webp"));
        run("avifenc", "-s", "10", "-j", "1", file("rgb.png"), file("photo.avif"));
        run("avifenc", "-s", "10", "-j", "1", file("alpha.png"), file("alpha.avif"));
        List<String> exif = new ArrayList<>(List.of("exiftool", "-j", "-n"));
        List<String> pil = new ArrayList<>(List.of(PYTHON, script("describe_images.py")));
        for (String name : FILES) {
            exif.add(file(name));
            pil.add(file(name));
        }
        for (JsonNode entry : JSON.readTree(run(exif.toArray(String[]::new)))) {
            exiftool.put(entry.get("FileName").asText(), entry);
        }
        pillow = JSON.readTree(run(pil.toArray(String[]::new)));
        front = TestFront.builder().start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (front != null) {
            front.close();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"camera.jpg", "orient3.jpg", "orient8.jpg", "gray.jpg", "cmyk.jpg", "icc.jpg", "alpha.png",
            "gray16.png", "palette.png", "orient6.png", "anim.gif", "photo.webp", "alpha.webp", "anim.webp",
            "photo.avif", "alpha.avif"})
    void agreesWithExiftoolAndPillow(String name) throws Exception {
        JsonNode info = info(name, "?scale=0.5");
        JsonNode tool = exiftool.get(name);
        JsonNode pil = pillow.get(file(name));
        String format = info.get("format").asText();
        assertEquals(tool.get("MIMEType").asText(), "image/" + format, name);
        assertEquals(tool.get("ImageWidth").asInt(), info.get("width").asInt(), name);
        assertEquals(tool.get("ImageHeight").asInt(), info.get("height").asInt(), name);
        int orientation = tool.path("Orientation").asInt(1);
        assertEquals(orientation, info.get("orientation").asInt(), name);
        boolean swap = orientation >= 5;
        int upright = swap ? info.get("height").asInt() : info.get("width").asInt();
        assertEquals(upright, info.get("upright_width").asInt(), name);
        assertEquals(Math.max(1, upright / 2), info.at("/output/width").asInt(), name);
        assertEquals(format.equals("jpeg") ? "jpeg" : "png", info.at("/output/format").asText(), name);
        assertEquals(Files.size(Path.of(file(name))), info.get("bytes").asLong(), name);
        assertEquals(expectedBits(format, tool), info.get("bits_per_sample").asInt(), name);
        String description = tool.path("ProfileDescription").asText(null);
        assertEquals(description, info.at("/icc/description").isNull() ? null : info.at("/icc/description").asText(), name);
        if (pil != null && !pil.isNull()) {
            assertEquals(pil.get("width").asInt(), info.get("width").asInt(), name);
            assertEquals(pil.get("height").asInt(), info.get("height").asInt(), name);
            assertEquals(pil.get("orientation").asInt(), orientation, name);
            String mode = pil.get("mode").asText();
            String colour = info.get("colour_model").asText();
            assertEquals(colourOf(mode), colour.equals("ycck") ? "cmyk" : colour, name + " (Pillow mode " + mode + ")");
            assertEquals(mode.contains("A") || pil.get("transparency").asBoolean(), info.get("has_alpha").asBoolean(), name);
            assertEquals(pil.get("frames").asInt(), info.get("frames").asInt(), name);
            assertEquals(pil.get("animated").asBoolean(), info.get("animated").asBoolean(), name);
            assertEquals(pil.get("icc").asBoolean(), info.at("/icc/present").asBoolean(), name);
        } else {
            // Pillow 9 reads no AVIF: exiftool's boxes are the reference.
            assertEquals(tool.path("AuxiliaryImageType").asText().endsWith(":alpha"), info.get("has_alpha").asBoolean(), name);
            assertEquals(1, info.get("frames").asInt(), name);
            assertEquals("rgb", info.get("colour_model").asText(), name);
        }
        if (tool.has("Make") || tool.has("Orientation")) {
            JsonNode exif = info.get("exif");
            assertFalse(exif.isNull(), name + " has EXIF");
            assertEquals(tool.path("Make").asText(null), exif.path("make").asText(null), name);
            assertEquals(tool.path("Model").asText(null), exif.path("model").asText(null), name);
            assertEquals(tool.path("DateTimeOriginal").asText(null), exif.path("date_taken").asText(null), name);
            assertEquals(tool.path("ExposureTime").asDouble(0), exif.path("exposure_time").asDouble(0), 1e-9, name);
            assertEquals(tool.path("FNumber").asDouble(0), exif.path("f_number").asDouble(0), 1e-9, name);
            assertEquals(tool.path("ISO").asInt(0), exif.path("iso").asInt(0), name);
            assertEquals(tool.has("GPSLatitude"), exif.get("gps_present").asBoolean(), name);
            assertFalse(exif.has("gps_latitude"), "coordinates only with exif=full: " + exif);
        } else {
            assertTrue(info.get("exif").isNull(), name + ": " + info);
        }
    }

    @Test
    void coordinatesOnlyWithExifFull() throws Exception {
        JsonNode tool = exiftool.get("camera.jpg");
        JsonNode exif = info("camera.jpg", "?exif=full").get("exif");
        assertEquals(tool.get("GPSLatitude").asDouble(), exif.get("gps_latitude").asDouble(), 1e-9);
        assertEquals(tool.get("GPSLongitude").asDouble(), exif.get("gps_longitude").asDouble(), 1e-9);
        assertTrue(exif.get("gps_latitude").asDouble() < 0, "south is negative: " + exif);
        assertEquals(400, send("/info?exif=everything", file("camera.jpg")).statusCode());
    }

    @Test
    void outputFollowsScaleFormatAndOpsAsProcessDoes() throws Exception {
        // camera.jpg is 120x80 stored, 80x120 upright (orientation 6).
        String query = "?scale=0.5&format=png&ops=rotate:90,resize:50x50";
        JsonNode output = info("camera.jpg", query).get("output");
        HttpResponse<byte[]> processed = send("/process" + query, file("camera.jpg"));
        assertEquals(200, processed.statusCode());
        assertEquals(processed.headers().firstValue("X-Image-Width").orElseThrow(), output.get("width").asText());
        assertEquals(processed.headers().firstValue("X-Image-Height").orElseThrow(), output.get("height").asText());
        assertEquals("image/" + output.get("format").asText(), processed.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("50x33", output.get("width").asText() + "x" + output.get("height").asText());
    }

    @Test
    void formatAutoFollowsTheAcceptHeaderAsProcessDoes() throws Exception {
        for (String accept : List.of("image/avif,image/webp,*/*", "image/webp", "*/*")) {
            Multipart body = new Multipart().file("image", "alpha.png", "image/png", Files.readAllBytes(Path.of(file("alpha.png"))));
            HttpResponse<String> info = front.http().send(HttpRequest.newBuilder(front.uri("/info?format=auto"))
                    .header("Content-Type", body.contentType()).header("Accept", accept).POST(body.publisher()).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<byte[]> processed = front.http().send(HttpRequest.newBuilder(front.uri("/process?format=auto"))
                    .header("Content-Type", body.contentType()).header("Accept", accept).POST(body.publisher()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, info.statusCode(), info.body());
            assertEquals(200, processed.statusCode(), accept);
            assertEquals(processed.headers().firstValue("Content-Type").orElseThrow(),
                    "image/" + JSON.readTree(info.body()).at("/output/format").asText(), accept);
            assertTrue(info.headers().allValues("Vary").contains("Accept"), info.headers().toString());
        }
    }

    @Test
    void brokenUploadsGetTheAnswerProcessGives() throws Exception {
        Map<String, byte[]> broken = Map.of(
                "truncated.jpg", TestImages.truncated(TestImages.jpeg(300, 200)),
                "truncated.png", TestImages.truncated(TestImages.png(300, 200)),
                "truncated.gif", Arrays.copyOf(Files.readAllBytes(Path.of(file("anim.gif"))), 900), // inside frame 1
                "garbage.bin", "this is not an image at all".getBytes(StandardCharsets.UTF_8),
                "huge.jpg", TestImages.jpegClaiming(30_000, 30_000));
        for (Map.Entry<String, byte[]> upload : broken.entrySet()) {
            HttpResponse<String> info = front.post("/info", new Multipart().file("image", upload.getKey(),
                    "application/octet-stream", upload.getValue()));
            HttpResponse<String> process = front.post("/process", new Multipart().file("image", upload.getKey(),
                    "application/octet-stream", upload.getValue()));
            assertEquals(process.statusCode(), info.statusCode(), upload.getKey() + ": " + info.body());
            assertEquals(code(process), code(info), upload.getKey() + ": " + info.body());
            assertTrue(info.statusCode() == 415 || info.statusCode() == 422, upload.getKey() + ": " + info.body());
        }
        HttpResponse<String> none = front.post("/info", new Multipart().field("scale", "0.5"));
        assertEquals(400, none.statusCode());
        assertEquals("missing_image", code(none));
        assertEquals(400, send("/info?scale=2", file("gray.jpg")).statusCode());
    }

    /** A 50-megapixel JPEG answers from its header: the inspecting thread allocates far less than one gray raster. */
    @Test
    void fiftyMegapixelsCostAHeaderReadNotADecode() throws Exception {
        Path big = Path.of(file("50mp.jpg"));
        JsonNode info = info("50mp.jpg", "?scale=0.1");
        assertEquals(8000, info.get("width").asInt());
        assertEquals(6250, info.get("height").asInt());
        assertEquals(800, info.at("/output/width").asInt());

        ImageInspector inspector = new ImageInspector(new ImageLimits(50_000_000, 20_000));
        inspector.inspect(ImageSource.of(Path.of(file("gray.jpg"))), false); // loads the classes first
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        assertEquals(8000, inspector.inspect(ImageSource.of(big), false).width());
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        long grayRaster = 8000L * 6250;
        assertTrue(allocated < grayRaster / 20, "reading the info of a " + Files.size(big) + "-byte 50 MP JPEG allocated "
                + allocated + " bytes; one gray raster is " + grayRaster);
    }

    private static JsonNode info(String name, String query) throws Exception {
        HttpResponse<byte[]> response = send("/info" + query, file(name));
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), name + ": " + body);
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        return JSON.readTree(body);
    }

    private static HttpResponse<byte[]> send(String pathAndQuery, String path) throws Exception {
        Multipart body = new Multipart().file("image", Path.of(path).getFileName().toString(),
                "application/octet-stream", Files.readAllBytes(Path.of(path)));
        return front.http().send(HttpRequest.newBuilder(front.uri(pathAndQuery)).header("Content-Type", body.contentType())
                .POST(body.publisher()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String code(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).at("/error/code").asText();
    }

    private static int expectedBits(String format, JsonNode tool) {
        return switch (format) {
            case "png" -> tool.get("BitDepth").asInt();
            case "jpeg" -> tool.get("BitsPerSample").asInt();
            case "gif" -> tool.get("BitsPerPixel").asInt();
            case "avif" -> Integer.parseInt(tool.get("ImagePixelDepth").asText().split(" ")[0]);
            default -> 8;
        };
    }

    private static String colourOf(String pillowMode) {
        return switch (pillowMode) {
            case "L", "LA", "I", "I;16", "1" -> "gray";
            case "CMYK" -> "cmyk";
            case "P", "PA" -> "palette";
            default -> "rgb";
        };
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    private static String script(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = InfoEndpointTest.class.getResourceAsStream("/info/" + name)) {
            assertNotNull(in, name);
            Files.copy(in, target);
        }
        return target.toString();
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), Arrays.toString(command));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), Arrays.toString(command) + ": " + text);
        return text;
    }

    private static boolean pillowAvailable() {
        try {
            Process check = new ProcessBuilder(PYTHON, "-c", "import PIL").start();
            return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static boolean onPath(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    }
}
