package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OutputFormat;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** format=webp|avif|auto and lossless: parsing, Accept negotiation, the 501 check and a durable task's record. */
class FormatOptionsTest {
    private static final Set<OutputFormat> ALL = EnumSet.allOf(OutputFormat.class);
    private static final Set<OutputFormat> NO_AVIF = EnumSet.of(OutputFormat.JPEG, OutputFormat.PNG, OutputFormat.WEBP);

    private static OutputFormat auto(String accept, Set<OutputFormat> encodable) {
        return FormatNegotiation.resolve(ProcessingOptions.parse(Map.of("format", "auto")), accept, encodable).format();
    }

    @Test
    void autoTakesAvifThenWebpByNameNeverByWildcard() {
        assertEquals(OutputFormat.AVIF, auto("image/avif,image/webp,*/*", ALL));
        assertEquals(OutputFormat.WEBP, auto("image/avif,image/webp,*/*", NO_AVIF));
        assertEquals(OutputFormat.WEBP, auto("image/webp", ALL));
        assertEquals(OutputFormat.WEBP, auto("IMAGE/AVIF; q=0, image/webp;q=0.5", ALL));
        assertNull(auto("*/*", ALL));
        assertNull(auto("image/*", ALL));
        assertNull(auto(null, ALL));
        assertNull(auto("image/avif", Set.of()), "no worker connected: nothing is known to encode it");
        // F12: a range of only ";" split into no parts and failed the request with a 500.
        assertNull(auto(";", ALL));
        assertEquals(OutputFormat.WEBP, auto(";,;;, image/webp;;q=1;", ALL));
        assertTrue(ProcessingOptions.parse(Map.of("format", "AUTO")).auto());
        assertFalse(ProcessingOptions.parse(Map.of("format", "webp")).auto());
    }

    @Test
    void losslessAndFormatsAreCheckedAndAnUnencodableFormatIs501() {
        assertTrue(ProcessingOptions.parse(Map.of("format", "webp", "lossless", "true")).lossless());
        assertEquals(ErrorCode.BAD_PARAMETER, assertThrows(FrontException.class,
                () -> ProcessingOptions.parse(Map.of("lossless", "maybe"))).code());
        assertEquals(ErrorCode.BAD_PARAMETER, assertThrows(FrontException.class,
                () -> ProcessingOptions.parse(Map.of("format", "heic"))).code());
        FrontException refused = assertThrows(FrontException.class,
                () -> FormatNegotiation.requireEncodable(OutputFormat.AVIF, NO_AVIF));
        assertEquals(ErrorCode.FORMAT_UNAVAILABLE, refused.code());
        assertTrue(refused.getMessage().contains("libavif15"), refused.getMessage());
        FormatNegotiation.requireEncodable(OutputFormat.AVIF, Set.of()); // no worker yet: the worker answers later
        FormatNegotiation.requireEncodable(OutputFormat.PNG, NO_AVIF);
    }

    @Test
    void aDurableTaskKeepsLosslessInItsRecord() {
        ProcessingOptions asked = ProcessingOptions.parse(Map.of("format", "webp", "lossless", "true", "quality", "70"));
        assertEquals("webp+lossless", asked.recordedFormat());
        ProcessingOptions back = ProcessingOptions.recorded(0.5, asked.recordedFormat(), 70, ExecutionMode.DEFAULT,
                OpChain.EMPTY);
        assertEquals(OutputFormat.WEBP, back.format());
        assertTrue(back.lossless());
        assertEquals("avif", ProcessingOptions.parse(Map.of("format", "avif", "lossless", "true")).recordedFormat());
        assertNull(ProcessingOptions.recorded(0.5, null, 85, ExecutionMode.DEFAULT, OpChain.EMPTY).format());
    }
}
