package io.graypipe.front.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.FormatNegotiation;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.testing.ExceptionText;
import io.graypipe.protocol.OutputFormat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request's parameters as a client writes them: the URI's query string (and path) as the front decodes it
 * ({@link RequestTarget#of}) into the processing options ({@code scale}, {@code format}, {@code quality},
 * {@code lossless}, {@code mode}, {@code cache}, every {@code ops} value), and the {@code Accept} header that
 * {@code format=auto} is resolved from ({@link FormatNegotiation#resolve}).
 *
 * <p>Both take the input as Latin-1 text without control characters or spaces, which Netty's HTTP codec refuses
 * (or splits the request line at) before the front sees them.
 */
class RequestParametersFuzzTest {
    private static final Set<ErrorCode> QUERY_ERRORS = EnumSet.of(ErrorCode.BAD_REQUEST, ErrorCode.BAD_PARAMETER);
    private static final List<OutputFormat> NEGOTIABLE = List.of(OutputFormat.AVIF, OutputFormat.WEBP);

    /**
     * Any query string after {@code /process?}. Invariants: the only failure is a {@link FrontException},
     * {@code bad_request} (a malformed %-escape, F10) or {@code bad_parameter}, in graypipe's words; accepted
     * options are within their ranges (0 &lt; scale &le; 1, quality 1..100, at most 10 distinct variants), and a
     * durable task's record of the format reads back to the same format; the same query gives the same answer.
     */
    @FuzzTest
    void queryString(byte[] input) {
        String query = new String(input, StandardCharsets.ISO_8859_1);
        if (!headerSafe(query, false)) {
            return;
        }
        String uri = "/process?" + query;
        String first = options(uri);
        assertEquals(first, options(uri), "the same query must give the same answer");
    }

    private static String options(String uri) {
        try {
            RequestTarget target = RequestTarget.of(uri);
            assertEquals("/process", target.path());
            ProcessingOptions options = ProcessingOptions.parse(target.query());
            List<ProcessingOptions> variants = options.variants(target.queryValues().getOrDefault("ops", List.of()));
            assertTrue(options.scale() > 0 && options.scale() <= 1, "scale " + options.scale());
            assertTrue(options.quality() >= 1 && options.quality() <= 100, "quality " + options.quality());
            assertTrue(!variants.isEmpty() && variants.size() <= ProcessingOptions.MAX_VARIANTS, "variants " + variants);
            assertEquals(variants.size(), new HashSet<>(variants.stream().map(ProcessingOptions::ops).toList()).size(),
                    "every variant once");
            for (ProcessingOptions variant : variants) {
                ProcessingOptions recorded = ProcessingOptions.recorded(variant.scale(), variant.recordedFormat(),
                        variant.quality(), variant.mode(), variant.ops());
                assertEquals(variant.format(), recorded.format(), "the recorded format reads back");
                assertEquals(variant.format() == OutputFormat.WEBP && variant.lossless(), recorded.lossless()
                        && recorded.format() == OutputFormat.WEBP, "lossless WebP reads back");
            }
            return "accepted " + variants;
        } catch (FrontException e) {
            assertTrue(QUERY_ERRORS.contains(e.code()), "undocumented error " + e.code() + ": " + e.getMessage());
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal must say what is wrong");
            ExceptionText.assertNotQuoted(e.getMessage(), uri);
            return "refused " + e.code() + " " + e.getMessage();
        }
    }

    /**
     * Byte 0 picks what the connected workers encode (bit 0 AVIF, bit 1 WebP); the rest is the Accept header.
     * Invariants: {@code format=auto} resolves to nothing or to a format the workers encode and the header names
     * itself (wildcards never count); AVIF is preferred to WebP; adding {@code image/avif} to any header gets AVIF
     * when a worker encodes it, and adding a range with {@code q=0} changes nothing; options without {@code auto}
     * pass unchanged; nothing throws; the same header gives the same format.
     */
    @FuzzTest
    void acceptHeader(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Set<OutputFormat> encodable = EnumSet.of(OutputFormat.JPEG, OutputFormat.PNG);
        if ((input[0] & 1) != 0) {
            encodable.add(OutputFormat.AVIF);
        }
        if ((input[0] & 2) != 0) {
            encodable.add(OutputFormat.WEBP);
        }
        String accept = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        if (!headerSafe(accept, true)) {
            return;
        }
        ProcessingOptions auto = ProcessingOptions.parse(Map.of("format", "auto"));
        OutputFormat chosen = FormatNegotiation.resolve(auto, accept, encodable).format();
        assertEquals(chosen, FormatNegotiation.resolve(auto, accept, encodable).format(), "the same header twice");
        if (chosen != null) {
            assertTrue(NEGOTIABLE.contains(chosen) && encodable.contains(chosen), "chose " + chosen);
            assertTrue(accept.toLowerCase(Locale.ROOT).contains(chosen.mediaType()),
                    "chose " + chosen + " from a header that does not name it: " + accept);
        }
        if (chosen == OutputFormat.WEBP && encodable.contains(OutputFormat.AVIF)) {
            assertEquals(null, FormatNegotiation.resolve(auto, accept, EnumSet.of(OutputFormat.AVIF)).format(),
                    "WebP was chosen although AVIF is accepted and encodable");
        }
        if (encodable.contains(OutputFormat.AVIF)) {
            assertEquals(OutputFormat.AVIF, FormatNegotiation.resolve(auto, accept + ",image/avif", encodable).format(),
                    "naming image/avif gets AVIF");
        }
        assertEquals(chosen, FormatNegotiation.resolve(auto, accept + ",image/webp;q=0,image/avif;q=0.0", encodable)
                .format(), "a range with q=0 is refused, not accepted");
        ProcessingOptions jpeg = ProcessingOptions.parse(Map.of("format", "jpeg"));
        assertSame(jpeg, FormatNegotiation.resolve(jpeg, accept, encodable), "no auto, no negotiation");
    }

    /** What Netty's HTTP codec lets through: no control characters; in a request target, no space either. */
    private static boolean headerSafe(String text, boolean spaceAllowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && !(spaceAllowed && c == '\t') || c == 0x7f || !spaceAllowed && c == ' ') {
                return false;
            }
        }
        return true;
    }
}
