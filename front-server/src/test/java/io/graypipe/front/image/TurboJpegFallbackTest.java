package io.graypipe.front.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine without libturbojpeg, as a new user meets it: real fronts and workers started as {@code scripts/run}
 * and {@code scripts/worker} start them, pointed at a library path that does not exist. They still serve correct
 * JPEGs, /stats shows the fallback, and the log says so exactly once, whatever the number of processes.
 */
class TurboJpegFallbackTest {
    private static final String MISSING = "/nonexistent/graypipe-test/libturbojpeg.so.0";
    private static final BufferedImage PHOTO = TestImages.photo(640, 480);
    private static final byte[] JPEG = TestImages.jpeg(PHOTO, 0.9f, false);

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aFrontWithoutTheLibraryServesCorrectImagesAndSaysSoOnce() throws Exception {
        try (FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data"))
                .args("--turbojpeg-library", MISSING, "--worker-mode", "processes", "-n", "2").start()) {
            assertHalfOfThePhoto(front);
            JsonNode stats = FrontProcess.json(front.get("/stats"));
            assertEquals("imageio", stats.path("jpeg_decoder").asText(), stats::toString);
            String log = front.output();
            assertEquals(1, occurrences(log, "could not be loaded"), log);
            assertEquals(1, occurrences(log, "TurboJPEG fallback: " + MISSING + " could not be loaded"), log);
            assertTrue(log.lines().anyMatch(line -> line.contains("TurboJPEG fallback") && line.contains("libturbojpeg0")),
                    "the reason and the fix on one line:\n" + log);
            assertEquals(1, occurrences(log, "JPEG encoder: imageio (--turbojpeg-library off)"),
                    "the front's worker is told, so it does not warn a second time:\n" + log);
        }
    }

    @Test
    @Timeout(120)
    void aWorkerWithoutTheLibraryEncodesWithImageIoAndSaysSoOnce() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "fallback-test-secret-0123456789abcdef\n");
        try (WorkerProcess worker = WorkerProcess.start(0, token, "-n", "2", "--mode", "processes",
                "--turbojpeg-library", MISSING);
             FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data")).args("--worker",
                     worker.address().getHostString() + ":" + worker.address().getPort(),
                     "--worker-token-file", token.toString()).start()) {
            assertHalfOfThePhoto(front);
            String log = worker.output();
            assertEquals(1, occurrences(log, "could not be loaded"), log);
            assertEquals(1, occurrences(log, "JPEG encoder: imageio; " + MISSING + " could not be loaded"), log);
            assertTrue(log.lines().anyMatch(line -> line.contains("JPEG encoder: imageio;") && line.contains("libturbojpeg0")),
                    "the reason and the fix on one line:\n" + log);
        }
    }

    /** POSTs the photo at scale 0.5 and checks the JPEG that comes back against the photo's own luma, averaged. */
    private static void assertHalfOfThePhoto(FrontProcess front) {
        HttpResponse<byte[]> response = front.send(HttpRequest.newBuilder(front.uri("/process?scale=0.5&format=jpeg"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JPEG)).build());
        assertEquals(200, response.statusCode(), () -> new String(response.body()) + "\n" + front.output());
        BufferedImage scaled = TestImages.decode(response.body());
        assertEquals(320, scaled.getWidth());
        assertEquals(240, scaled.getHeight());
        long difference = 0;
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                int sum = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        sum += TestImages.luma(PHOTO.getRGB(2 * x + dx, 2 * y + dy));
                    }
                }
                difference += Math.abs((sum + 2) / 4 - TestImages.grayAt(scaled, x, y));
            }
        }
        double mean = difference / (320.0 * 240);
        assertTrue(mean <= 3.0, "mean absolute difference to the photo's luma " + mean);
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
