package io.graypipe.front.http;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.graypipe.front.http.RawHttp.ascii;
import static io.graypipe.front.http.RawHttp.concat;
import static io.graypipe.front.http.RawHttp.part;
import static io.graypipe.front.http.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The front's limits over real HTTP, each set small so a test can cross it: upload size (413), header size (431),
 * pixels and sides (422), the idle and total receive timeouts (408), and the temporary files that large uploads
 * spill to, which must be gone after success, failure, client abort and 413.
 */
class UploadLimitsHttpTest {
    private static final int MAX_UPLOAD = 1 << 20;
    private static final int MEMORY_THRESHOLD = 8 * 1024;
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder()
                .maxUploadBytes(MAX_UPLOAD)
                .uploadMemoryThreshold(MEMORY_THRESHOLD)
                .maxHeaderBytes(4096)
                .maxPixels(10_000)
                .maxDimension(200)
                .readTimeout(Duration.ofSeconds(2))
                .receiveTimeout(Duration.ofSeconds(3))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    @AfterEach
    void noUploadFileOutlivesItsRequest() {
        Await.until(Duration.ofSeconds(5), "every FUp_ file to be deleted", () -> front.spooledFiles() == 0);
        RawHttp.Response health = RawHttp.get(front.address(), "/healthz");
        assertEquals(200, health.status(), "the server still serves");
    }

    @Test
    void aDeclaredContentLengthOverTheLimitIs413BeforeAnyBodyIsSent() {
        try (RawHttp http = new RawHttp(front.address())) {
            http.write(ascii("POST /process HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: "
                    + (MAX_UPLOAD + 1) + "\r\n\r\n"));
            RawHttp.Response response = http.readResponse();

            assertEquals(413, response.status(), response::toString);
            // No body byte was sent: the answer arriving at all shows the front answered from the headers alone.
            assertEquals("upload_too_large", response.errorCode());
        }
    }

    @Test
    void aChunkedBodyWithoutLengthIsCutOffWith413OnceItPassesTheLimit() throws Exception {
        try (RawHttp http = new RawHttp(front.address())) {
            CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(http::readResponse);
            http.write(ascii("POST /tasks HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            byte[] chunk = concat(ascii(Integer.toHexString(64 * 1024) + "\r\n"), new byte[64 * 1024], ascii("\r\n"));
            long sent = 0;
            long wouldSend = 64L * MAX_UPLOAD;
            while (sent < wouldSend && !answer.isDone() && http.tryWrite(chunk)) {
                sent += 64 * 1024;
            }
            RawHttp.Response response = answer.get(10, TimeUnit.SECONDS);

            assertEquals(413, response.status(), response::toString);
            assertEquals("upload_too_large", response.errorCode());
            long sentBytes = sent;
            assertTrue(sent < wouldSend / 4, () -> "the server read " + sentBytes + " bytes before refusing");
            assertTrue(http.closedByServer(), "the connection is closed: the rest of the body is never read");
        }
    }

    @Test
    void headersOverTheLimitAre431() {
        RawHttp.Response response = RawHttp.exchange(front.address(), ascii("GET /healthz HTTP/1.1\r\nHost: t\r\n"
                + "X-Padding: " + "a".repeat(8000) + "\r\n\r\n"));

        assertEquals(431, response.status(), response::toString);
        assertEquals("headers_too_large", response.errorCode());
    }

    @Test
    void pixelAndSideLimitsAreCheckedAgainstTheHeader() {
        assertEquals(200, RawHttp.exchange(front.address(), post("/process", "image/png", TestImages.png(100, 100))).status(),
                "exactly 10000 pixels is allowed");

        RawHttp.Response tooManyPixels = RawHttp.exchange(front.address(), post("/process", "image/png", TestImages.png(101, 100)));
        assertEquals(422, tooManyPixels.status(), tooManyPixels::toString);
        assertEquals("image_too_large", tooManyPixels.errorCode());

        RawHttp.Response tooWide = RawHttp.exchange(front.address(), post("/process", "image/png", TestImages.png(201, 10)));
        assertEquals(422, tooWide.status(), tooWide::toString);
        assertEquals("image_too_large", tooWide.errorCode());
    }

    @Test
    void aLargeMultipartUploadSpillsToATemporaryFileThatIsDeletedAfterSuccess() {
        byte[] png = TestImages.noisePng(90, 90);
        assertTrue(png.length > 2 * MEMORY_THRESHOLD, "the fixture must exceed the memory threshold: " + png.length);
        byte[] request = BadRequests.multipart("/process", part(BadRequests.BOUNDARY, "image", "noise.png", png));
        try (RawHttp http = new RawHttp(front.address())) {
            int half = request.length / 2;
            http.write(Arrays.copyOf(request, half));
            Await.until(Duration.ofSeconds(5), "the upload to spill to a FUp_ file", () -> front.spooledFiles() == 1);

            http.write(Arrays.copyOfRange(request, half, request.length));
            RawHttp.Response response = http.readResponse();
            assertEquals(200, response.status(), response::toString);
            assertEquals("45", response.header("x-image-width"));
        }
    }

    @Test
    void aRawUploadThatIsNotAnImageLeavesNoTemporaryFile() {
        byte[] noise = new byte[200 * 1024];
        new java.util.Random(3).nextBytes(noise);
        noise[0] = 1;
        RawHttp.Response response = RawHttp.exchange(front.address(), post("/process", "image/png", noise));

        assertEquals(415, response.status(), response::toString);
        assertEquals("unsupported_media_type", response.errorCode());
    }

    @Test
    void aSpilledImageOverThePixelLimitLeavesNoTemporaryFile() {
        byte[] png = TestImages.noisePng(150, 150);
        assertTrue(png.length > MEMORY_THRESHOLD);
        RawHttp.Response response = RawHttp.exchange(front.address(), post("/tasks", "image/png", png));
        assertEquals(202, response.status(), response::toString);
        String id = response.json().path("id").asText();

        Await.until(Duration.ofSeconds(5), "the task to fail", () -> "failed".equals(
                RawHttp.get(front.address(), "/tasks/" + id).json().path("status").asText()));
        assertEquals("image_too_large", RawHttp.get(front.address(), "/tasks/" + id + "/result").errorCode());
    }

    @Test
    void aClientThatHangsUpMidUploadLeavesNoTemporaryFile() {
        byte[] png = TestImages.noisePng(90, 90);
        byte[] request = post("/process", "image/png", png);
        try (RawHttp http = new RawHttp(front.address())) {
            http.write(Arrays.copyOf(request, request.length - 1000));
            Await.until(Duration.ofSeconds(5), "the upload to spill to a FUp_ file", () -> front.spooledFiles() == 1);
        }
        // @AfterEach awaits the file's deletion.
    }

    @Test
    void aSilentConnectionIsClosed() {
        try (RawHttp http = new RawHttp(front.address())) {
            http.setReadTimeoutMillis(6000);
            long start = System.nanoTime();
            assertTrue(http.closedByServer(), "an idle connection is closed after --read-timeout");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1500).toNanos(), "not before the read timeout");
        }
    }

    @Test
    void aBodyThatStopsArrivingGets408() {
        try (RawHttp http = new RawHttp(front.address())) {
            http.write(ascii("POST /process HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n"));
            http.write(new byte[100]);
            RawHttp.Response response = http.readResponse();

            assertEquals(408, response.status(), response::toString);
            assertEquals("request_timeout", response.errorCode());
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffByTheReceiveTimeout() throws Exception {
        byte[] request = ascii("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n");
        assertTrickleIsCutOff(request);
    }

    @Test
    void aClientTricklingItsBodyIsCutOffByTheReceiveTimeout() throws Exception {
        byte[] request = post("/process", "image/png", TestImages.png(50, 50));
        assertTrickleIsCutOff(request);
    }

    /** One byte every 250 ms never trips the 2 s read timeout; the 3 s receive timeout must end it. */
    private static void assertTrickleIsCutOff(byte[] request) throws Exception {
        try (RawHttp http = new RawHttp(front.address())) {
            CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(http::readResponse);
            long start = System.nanoTime();
            for (int i = 0; i < request.length && !answer.isDone(); i++) {
                if (!http.tryWrite(new byte[] {request[i]})) {
                    break;
                }
                try {
                    answer.get(250, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillTrickling) {
                    // the pace of the trickle
                }
            }
            RawHttp.Response response = answer.get(10, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

            assertEquals(408, response.status(), response::toString);
            assertEquals("request_timeout", response.errorCode());
            assertTrue(seconds >= 2 && seconds <= 5, "cut off after " + seconds + " s, expected about 3");
            assertTrue(http.closedByServer());
        }
    }
}
