package io.graypipe.front.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real front and worker: with libturbojpeg a JPEG at scale 1/4 is shrunk on load, sent to the worker at its
 * reduced size with the original's target size, and comes back at max(1, floor(n·scale)) of the original; with
 * {@code --exact-scaling} it takes the full path. Both outputs stay within 2 levels of each other on average.
 */
class ShrinkOnLoadRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shrinkOnLoadAndExactScalingGiveTheSameSizeAndNearlyTheSamePixels() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(1203, 797), 0.9f, false);
        BufferedImage shrunk;
        try (TestFront front = TestFront.builder().start()) {
            JsonNode stats = JSON.readTree(front.get("/stats").body());
            ExternalTools.require("turbojpeg".equals(stats.path("jpeg_decoder").asText()), "GRAYPIPE_REQUIRE_TURBOJPEG",
                    "libturbojpeg.so.0 is missing: install Debian's libturbojpeg0");
            shrunk = process(front, jpeg);
        }
        BufferedImage exact;
        try (TestFront front = TestFront.builder().exactScaling().start()) {
            assertEquals("imageio", JSON.readTree(front.get("/stats").body()).path("jpeg_decoder").asText());
            exact = process(front, jpeg);
        }
        assertEquals(300, shrunk.getWidth());
        assertEquals(199, shrunk.getHeight());
        assertEquals(300, exact.getWidth());
        assertEquals(199, exact.getHeight());
        long difference = 0;
        for (int y = 0; y < exact.getHeight(); y++) {
            for (int x = 0; x < exact.getWidth(); x++) {
                difference += Math.abs(TestImages.grayAt(exact, x, y) - TestImages.grayAt(shrunk, x, y));
            }
        }
        double mean = difference / (double) (exact.getWidth() * exact.getHeight());
        assertTrue(mean <= 2.0, "mean absolute difference " + mean);
    }

    private static BufferedImage process(TestFront front, byte[] jpeg) throws Exception {
        Multipart body = new Multipart().file("image", "photo.jpg", "image/jpeg", jpeg);
        HttpResponse<byte[]> response = front.http().send(HttpRequest.newBuilder(front.uri("/process?scale=0.25"))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        return TestImages.decode(response.body());
    }
}
