package io.graypipe.front.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.SafeText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static io.graypipe.front.http.RawHttp.ascii;
import static io.graypipe.front.http.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Web security at the edge, over real HTTP: the headers every answer carries, the page's policy, and every place a
 * client's file name travels (a download's Content-Disposition, a batch's ZIP entries and event stream) fed the
 * hostile names of issue 24. Log lines are covered by {@code SafeTextTest}.
 */
class WebSecurityHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names a client may send, each meant to break something: a path, a header, a parameter, a line, a display. */
    static final List<String> HOSTILE_NAMES = List.of("../../x", "a\r\nSet-Cookie: y", "\"; filename=z",
            "nul\u0000and\u0007bell\u001b[31m.png", "x".repeat(4096), "photo\u202egpj.exe", "..\\..\\win.ini",
            "C:\\Windows\\evil", "/etc/passwd", "iso\u2066late\u2069d", "..", "");
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    @Test
    void everyAnswerCarriesNosniffAndNoReferrerAndAPolicy() {
        List<byte[]> requests = List.of(ascii("GET / HTTP/1.1\r\nHost: t\r\n\r\n"),
                ascii("GET /page.js HTTP/1.1\r\nHost: t\r\n\r\n"), ascii("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
                ascii("GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n"), ascii("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n"),
                ascii("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"), ascii("BREW / HTCPCP/1.0\r\n\r\n"),
                post("/process", "image/png", TestImages.png(64, 48)),
                post("/process", "multipart/form-data; boundary=", TestImages.png(64, 48)));
        for (byte[] request : requests) {
            RawHttp.Response response = RawHttp.exchange(front.address(), request);
            String what = new String(request, 0, 20, StandardCharsets.ISO_8859_1) + " -> " + response;
            assertEquals("nosniff", response.header("X-Content-Type-Options"), what);
            assertEquals("no-referrer", response.header("Referrer-Policy"), what);
            String policy = response.header("Content-Security-Policy");
            assertNotNull(policy, what);
            assertTrue(policy.contains("frame-ancestors 'none'"), what);
            if (response.header("Content-Type").startsWith("text/html")) {
                assertEquals(SecurityHeaders.PAGE_POLICY, policy, what);
                assertEquals("DENY", response.header("X-Frame-Options"), what);
            } else {
                assertEquals(SecurityHeaders.API_POLICY, policy, what);
            }
        }
    }

    @Test
    void thePageHasNoInlineScriptStyleOrHandlerForItsPolicyToAllow() throws Exception {
        String page = front.get("/").body();
        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(page);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertTrue(scripts.group(1).contains("src=\"/"), "a script from this origin: " + scripts.group());
            assertTrue(scripts.group(2).isBlank(), "no inline script: " + scripts.group());
        }
        assertTrue(count > 0, "the page has its script");
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find(), "no inline handler");
        assertFalse(page.contains("<style") || page.contains("style="), "no inline style");
        for (String file : List.of("/page.js", "/page.css")) {
            HttpResponse<String> served = front.get(file);
            assertEquals(200, served.statusCode(), file);
            assertTrue(page.contains("\"" + file + "\""), "the page loads " + file);
        }
    }

    @Test
    void aDownloadNamedByTheClientGetsASafeContentDisposition() throws Exception {
        byte[] png = TestImages.png(64, 48);
        HttpResponse<String> accepted = front.http().send(HttpRequest.newBuilder(front.uri("/tasks"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = JSON.readTree(accepted.body()).get("id").asText();
        awaitDone("/tasks/" + id);
        for (String name : HOSTILE_NAMES) {
            RawHttp.Response response = RawHttp.get(front.address(), "/tasks/" + id + "/result?filename="
                    + URLEncoder.encode(name, StandardCharsets.UTF_8));
            String shown = SafeText.forLog(name.substring(0, Math.min(20, name.length())));
            assertEquals(200, response.status(), shown);
            assertNull(response.header("Set-Cookie"), shown);
            String disposition = response.header("Content-Disposition");
            Matcher parts = Pattern.compile("attachment; filename=\"([^\"\\\\%]*)\"; filename\\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)")
                    .matcher(disposition);
            assertTrue(parts.matches(), shown + ": " + disposition);
            assertSafeFileName(parts.group(1), shown);
            String decoded = URLDecoder.decode(parts.group(2).replace("+", "%2B"), StandardCharsets.UTF_8);
            assertSafeFileName(decoded, shown);
            assertTrue(decoded.endsWith(".png"), "the result's own extension: " + decoded);
            assertTrue(decoded.length() <= ContentDisposition.MAX_CHARS, shown);
        }
        assertEquals("attachment; filename=\"photogpj.exe.png\"; filename*=UTF-8''photogpj.exe.png",
                ContentDisposition.attachment("photo\u202egpj.exe", ".png", "result"));
        assertEquals("attachment; filename=\"_; filename=z.png\"; filename*=UTF-8''_%3B%20filename%3Dz.png",
                ContentDisposition.attachment("\"; filename=z", ".png", "result"));
    }

    @Test
    void hostileNamesNeitherEscapeTheArchiveNorSplitTheEventStream() throws Exception {
        HttpResponse<String> created = front.http().send(HttpRequest.newBuilder(front.uri("/batches"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String batch = JSON.readTree(created.body()).get("id").asText();
        byte[] png = TestImages.png(32, 24);
        List<String> names = new ArrayList<>(HOSTILE_NAMES);
        names.add("a\nevent: forged\ndata: {\"forged\":true}\n\nevent: done");
        for (String name : names) {
            HttpResponse<String> accepted = front.http().send(HttpRequest.newBuilder(front.uri("/tasks?batch=" + batch
                    + "&filename=" + URLEncoder.encode(name, StandardCharsets.UTF_8))).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, accepted.statusCode(), accepted.body());
        }
        front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + batch + "/close"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        String events = front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + batch + "/events"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> eventNames = new ArrayList<>();
        for (String line : events.split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("event: ") || line.startsWith("data: ") || line.startsWith("id: ")
                    || line.startsWith(":"), "a line the stream wrote itself: " + SafeText.forLog(line));
            if (line.startsWith("event: ")) {
                eventNames.add(line.substring(7));
            }
            if (line.startsWith("data: ")) {
                JSON.readTree(line.substring(6));
            }
        }
        assertFalse(eventNames.contains("forged"), eventNames.toString());
        assertEquals(1, eventNames.stream().filter("done"::equals).count(), eventNames.toString());
        assertTrue(events.contains("\\nevent: forged"), "the name arrives whole, as JSON text");

        HttpResponse<InputStream> archive = front.http().send(HttpRequest.newBuilder(front.uri("/batches/" + batch
                + "/archive")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, archive.statusCode());
        assertTrue(archive.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"batch-"));
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(archive.body())) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries++;
                String entryName = entry.getName();
                assertFalse(entryName.startsWith("/") || entryName.contains("\\") || entryName.contains(":"), entryName);
                for (String segment : entryName.split("/")) {
                    assertFalse(segment.isEmpty() || segment.equals(".") || segment.equals(".."), entryName);
                    assertSafeFileName(segment, SafeText.forLog(entryName));
                    assertTrue(segment.length() <= 110, entryName);
                }
                assertTrue(java.nio.file.Path.of("/out").resolve(entryName).normalize().startsWith("/out"), entryName);
            }
        }
        assertEquals(names.size() + 1, entries, "every result and the manifest");
    }

    private static void assertSafeFileName(String name, String what) {
        for (char c : name.toCharArray()) {
            assertFalse(SafeText.unsafe(c) || c == '/' || c == '\\', what + ": " + SafeText.forLog(name));
        }
        assertFalse(name.startsWith("."), what + ": " + name);
    }

    private static void awaitDone(String statusPath) {
        Await.until(Duration.ofSeconds(30), statusPath + " done",
                () -> "done".equals(RawHttp.get(front.address(), statusPath).json().path("status").asText()));
    }
}
