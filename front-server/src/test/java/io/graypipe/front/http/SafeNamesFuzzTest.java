package io.graypipe.front.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.SafeText;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text a client controls that issue 24 made safe, as Jazzer targets: a file name into every place a name
 * travels ({@link ContentDisposition}, {@link ArchiveNames}, {@link SafeText#forLog}), and a multipart
 * Content-Type into the front's receiver ({@link MultipartBoundary}, then Netty's decoder).
 */
class SafeNamesFuzzTest {
    private static final Pattern DISPOSITION = Pattern.compile(
            "attachment; filename=\"([\\x20-\\x7e&&[^\"\\\\%]]*)\"; filename\\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)");

    /**
     * Any UTF-8 text as a file name. Invariants: the {@code Content-Disposition} value is one header line of the
     * documented shape whose both names decode to safe names ending in the extension; an archive path never
     * leaves its folder and holds no unsafe character; a log line has no line break or unsafe character.
     */
    @FuzzTest
    void fileNames(byte[] input) {
        String name = new String(input, StandardCharsets.UTF_8);
        String header = ContentDisposition.attachment(name, ".png", "result");
        Matcher parts = DISPOSITION.matcher(header);
        assertTrue(parts.matches(), header);
        String decoded = URLDecoder.decode(parts.group(2).replace("+", "%2B"), StandardCharsets.UTF_8);
        for (String shown : new String[]{parts.group(1), decoded}) {
            assertTrue(shown.toLowerCase(java.util.Locale.ROOT).endsWith(".png") && !shown.startsWith("."), shown);
            assertTrue(shown.chars().noneMatch(c -> SafeText.unsafe((char) c) || c == '/' || c == '\\'), shown);
        }
        assertTrue(decoded.length() <= ContentDisposition.MAX_CHARS, decoded);

        String path = ArchiveNames.safePath(name);
        assertFalse(path.startsWith("/") || path.contains("\\") || path.contains(":"), path);
        for (String segment : path.isEmpty() ? new String[0] : path.split("/")) {
            assertFalse(segment.isEmpty() || segment.startsWith("."), path);
        }
        assertTrue(Path.of("/out").resolve(path).normalize().startsWith("/out"), path);
        assertTrue(path.chars().noneMatch(c -> SafeText.unsafe((char) c)), path);

        String line = SafeText.forLog(name);
        assertTrue(line.chars().noneMatch(c -> SafeText.unsafe((char) c)), line);
        assertEquals(line, SafeText.forLog(name), "the same text, the same line");
    }

    /**
     * Any parameters after {@code multipart/form-data;}, as the front receives them. Invariant: the front either
     * builds its receiver or refuses with {@code malformed_multipart} and its own words; nothing else escapes
     * (the empty boundaries of F6 escaped Netty's decoder as a {@code StringIndexOutOfBoundsException}, which
     * nothing answered). Netty's decoder still throws on some Content-Types graypipe's check accepts (F9, runs of
     * empty parameters before the boundary); the receiver answers those in its words too.
     */
    @FuzzTest
    void contentType(byte[] input) {
        String parameters = new String(input, StandardCharsets.ISO_8859_1);
        if (parameters.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            return; // not a header value: the HTTP codec refuses the request (400) before any upload code sees it
        }
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/process");
        request.headers().set("Content-Type", "multipart/form-data;" + parameters);
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            UploadReceiver.multipart(channel, Runnable::run, new DefaultHttpDataFactory(false), request).abort();
        } catch (FrontException refused) {
            assertEquals(ErrorCode.MALFORMED_MULTIPART, refused.code());
            assertEquals(MultipartBody.UNUSABLE_BOUNDARY, refused.getMessage());
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
