package io.graypipe.front.testing;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The fuzz targets' "graypipe's own words" check: a message shown to a client or an operator must not quote a Java
 * exception's text (F4, F6, F10). Each marker is a phrase the JDK or a library puts in its exception messages;
 * the client's own text may contain one, and may be quoted back.
 */
public final class ExceptionText {
    private static final List<String> MARKERS = List.of("Exception", "For input string", "out of bounds for length",
            "invalid hex byte", "unterminated escape", "Cannot invoke", "because \"", "java.", "Input length = ",
            "Index ", "Unexpected end");

    private ExceptionText() {
    }

    /** Fails when {@code message} holds a marker that {@code clientText} (what the client or file said) does not. */
    public static void assertNotQuoted(String message, String clientText) {
        for (String marker : MARKERS) {
            assertFalse(message.contains(marker) && !clientText.contains(marker),
                    "a message that quotes a Java exception ('" + marker + "'): " + message);
        }
    }
}
