package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.graypipe.front.http.RawHttp.ascii;
import static io.graypipe.front.http.RawHttp.concat;
import static io.graypipe.front.http.RawHttp.part;
import static io.graypipe.front.http.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad input over real HTTP against a front with the default limits: the documented status and error code,
 * within a second, and the server keeps serving. Last, the whole suite again and again, after which the heap
 * must be back where it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputHttpTest {
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        // Small enough that the larger fixtures take the temporary-file path too.
        front = TestFront.builder().uploadMemoryThreshold(2048).start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    static List<BadRequests.Case> cases() {
        return BadRequests.all();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersWithTheDocumentedStatusAndCode(BadRequests.Case bad) {
        RawHttp.Response response = RawHttp.exchange(front.address(), bad.request());

        assertEquals(bad.status(), response.status(), () -> bad.name() + ": " + response);
        assertEquals(bad.code(), response.errorCode(), () -> bad.name() + ": " + response);
        assertNotNull(response.json().path("error").path("message").asText(null), "a message that says how to fix it");
        // How fast is a benchmark's business, not a test's on a shared machine; RawHttp's own read timeout
        // still fails a request that hangs instead of being answered.
        assertServing();
    }

    @Order(2)
    @Test
    void aBadImageSubmittedAsATaskFailsTheTaskWithTheSameCode() {
        byte[] truncated = TestImages.truncated(TestImages.png(64, 48));
        RawHttp.Response accepted = RawHttp.exchange(front.address(),
                BadRequests.multipart("/tasks", part(BadRequests.BOUNDARY, "image", "a.png", truncated)));
        assertEquals(202, accepted.status(), accepted::toString);
        String id = accepted.json().path("id").asText();

        Await.until(Duration.ofSeconds(5), "task " + id + " to fail",
                () -> "failed".equals(taskStatus(id).path("status").asText()));
        assertEquals("undecodable_image", taskStatus(id).path("error").path("code").asText());
        RawHttp.Response result = RawHttp.get(front.address(), "/tasks/" + id + "/result");
        assertEquals(422, result.status(), result::toString);
        assertEquals("undecodable_image", result.errorCode());
    }

    @Order(3)
    @Test
    void unknownQueryParametersAreIgnored() {
        RawHttp.Response response = RawHttp.exchange(front.address(),
                post("/process?scale=0.5&utm_source=x&colour=blue&scale_mode=fancy", "image/png", TestImages.png(64, 48)));

        assertEquals(200, response.status(), response::toString);
        assertEquals("image/png", response.header("content-type"));
        assertEquals("32", response.header("x-image-width"));
    }

    @Order(4)
    @Test
    void aPolyglotThatIsAValidPngIsProcessedAsThePngItIs() {
        byte[] pngThenPdf = RawHttp.concat(TestImages.png(64, 48), ascii("%PDF-1.4\n%%EOF\n"));
        RawHttp.Response response = RawHttp.exchange(front.address(), post("/process", "application/pdf", pngThenPdf));
        assertEquals(415, response.status(), "the declared type is checked first: " + response);

        response = RawHttp.exchange(front.address(), post("/process", "image/png", pngThenPdf));
        assertEquals(200, response.status(), response::toString);
        assertEquals("24", response.header("x-image-height"));
    }

    @Order(5)
    @Test
    void hostileFilenamesAreNeverUsedAsPaths() throws Exception {
        byte[] png = TestImages.png(64, 48);
        byte[] nonUtf8 = {'a', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, '/', '.', '.', '/', 'x'};
        // A name nothing else on the machine uses, so the check below sees only what this upload could write.
        String escape = "graypipe-escape-" + java.util.UUID.randomUUID();
        List<byte[]> names = List.of(ascii("../../" + escape), ascii("..\\..\\" + escape), ascii("/etc/passwd"),
                ascii("x".repeat(10_240)), nonUtf8, ascii("a\u0000b.png"));
        Path escapeTarget = front.uploadDir().resolve("../../" + escape).normalize();
        for (byte[] name : names) {
            byte[] filePart = RawHttp.concat(ascii("--" + BadRequests.BOUNDARY
                    + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""), name,
                    ascii("\"\r\nContent-Type: image/png\r\n\r\n"), png, ascii("\r\n"));
            RawHttp.Response response = RawHttp.exchange(front.address(), BadRequests.multipart("/process", filePart));

            String shown = new String(name, 0, Math.min(name.length, 20), StandardCharsets.ISO_8859_1);
            assertEquals(200, response.status(), () -> "filename " + shown + ": " + response);
        }
        assertFalse(Files.exists(escapeTarget), "nothing was written to " + escapeTarget);
        Await.until(Duration.ofSeconds(5), "no upload files left behind", () -> front.spooledFiles() == 0);
    }

    /** Fuzz finding F4 (docs/fuzzing.md): the message says what a part needs, not the decoder's internal error. */
    @Order(6)
    @Test
    void aPartWithoutContentDispositionIsAnsweredWithWhatAPartNeeds() {
        byte[] misspelt = RawHttp.concat(ascii("--" + BadRequests.BOUNDARY
                + "\r\nContent-Dis[osition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"),
                TestImages.png(64, 48), ascii("\r\n"));
        for (String path : List.of("/process", "/tasks")) {
            RawHttp.Response response = RawHttp.exchange(front.address(), BadRequests.multipart(path, misspelt));

            assertEquals(400, response.status(), response::toString);
            assertEquals("malformed_multipart", response.errorCode());
            assertEquals(MultipartBody.UNPARSABLE_PART_HEADER, response.json().path("error").path("message").asText());
        }
        assertServing();
    }

    /** An empty boundary made Netty's decoder throw where nobody answered: the connection dropped (issue 24). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("emptyBoundaries")
    void anEmptyBoundaryIsAnsweredInGraypipesWords(String contentType) {
        byte[] body = concat(part(BadRequests.BOUNDARY, "image", "a.png", TestImages.png(64, 48)),
                RawHttp.closing(BadRequests.BOUNDARY));
        for (String path : List.of("/process", "/tasks")) {
            RawHttp.Response response = RawHttp.exchange(front.address(), post(path, contentType, body));

            assertEquals(400, response.status(), () -> contentType + " on " + path + ": " + response);
            assertEquals("malformed_multipart", response.errorCode());
            assertEquals(MultipartBody.UNUSABLE_BOUNDARY, response.json().path("error").path("message").asText());
        }
        assertServing();
    }

    static List<String> emptyBoundaries() {
        return List.of("multipart/form-data; boundary=", "multipart/form-data;boundary=",
                "multipart/form-data; charset=utf-8; boundary=", "multipart/form-data; boundary=\"\"",
                "multipart/form-data; boundary=" + "b".repeat(71));
    }

    /** A nested multipart/mixed part without its own boundary answered "Index 2 out of bounds for length 2". */
    @Test
    void aNestedMultipartPartWithoutBoundaryIsAnsweredInGraypipesWords() {
        byte[] nested = ascii("--" + BadRequests.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"\r\n"
                + "Content-Type: multipart/mixed\r\n\r\n--inner\r\nContent-Disposition: file; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\nxx\r\n--inner--\r\n");
        for (String path : List.of("/process", "/tasks")) {
            RawHttp.Response response = RawHttp.exchange(front.address(), BadRequests.multipart(path, nested));

            assertEquals(400, response.status(), response::toString);
            assertEquals("malformed_multipart", response.errorCode());
            String message = response.json().path("error").path("message").asText();
            assertTrue(MultipartBody.MALFORMED_MESSAGES.contains(message), "graypipe's own words: " + message);
            assertFalse(message.contains("out of bounds"), message);
        }
        assertServing();
    }

    @Test
    void aMissingImageAnswerQuotesOnlyAFewCleanedFieldNames() {
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            String name = i == 0 ? "x".repeat(500) : i == 1 ? "bell\u0007name" : "field" + i;
            parts.append("--").append(BadRequests.BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"")
                    .append(name).append("\"; filename=\"f").append(i).append(".png\"\r\nContent-Type: image/png\r\n\r\n")
                    .append("not an image\r\n");
        }
        RawHttp.Response response = RawHttp.exchange(front.address(), BadRequests.multipart("/process",
                ascii(parts.toString())));

        assertEquals(400, response.status(), response::toString);
        assertEquals("missing_image", response.errorCode());
        String message = response.json().path("error").path("message").asText();
        assertTrue(message.contains("'" + "x".repeat(64) + "...'"), message);
        assertTrue(message.contains("'bell name'"), "control characters never reach the message: " + message);
        assertTrue(message.contains("and 2 more"), message);
        assertTrue(message.length() < 300, message);
        assertServing();
    }

    /** The whole catalogue ten times over; then the server answers and its heap is where it was. */
    @Order(100)
    @Test
    void afterTheWholeSuiteTheServerServesAndItsHeapIsBackToNormal() {
        List<BadRequests.Case> cases = BadRequests.all();
        runAll(cases);
        long baseline = heapAfterGc();

        for (int round = 0; round < 10; round++) {
            runAll(cases);
        }
        long after = heapAfterGc();

        assertServing();
        RawHttp.Response good = RawHttp.exchange(front.address(), post("/process", "image/jpeg", TestImages.jpeg(640, 480)));
        assertEquals(200, good.status(), good::toString);
        long growth = after - baseline;
        assertTrue(growth < 16L << 20, "heap grew by " + (growth >> 20) + " MiB over 10 rounds of bad input");
        Await.until(Duration.ofSeconds(5), "no upload files left behind", () -> front.spooledFiles() == 0);
    }

    private static void runAll(List<BadRequests.Case> cases) {
        for (BadRequests.Case bad : cases) {
            RawHttp.Response response = RawHttp.exchange(front.address(), bad.request());
            assertEquals(bad.status(), response.status(), () -> bad.name() + ": " + response);
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several collections: the first may only promote; the lowest reading is the live set.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static JsonNode taskStatus(String id) {
        return RawHttp.get(front.address(), "/tasks/" + id).json();
    }

    private static void assertServing() {
        RawHttp.Response health = RawHttp.get(front.address(), "/healthz");
        assertEquals(200, health.status(), "healthz after a bad request: " + health);
    }
}
