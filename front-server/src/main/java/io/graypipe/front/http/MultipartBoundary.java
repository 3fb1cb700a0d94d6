package io.graypipe.front.http;

import java.util.Locale;

/**
 * The {@code boundary} parameter of a {@code multipart/form-data} Content-Type, checked before Netty's decoder sees
 * it: the decoder fails with a {@code StringIndexOutOfBoundsException} on an empty one ({@code boundary=},
 * {@code ;boundary=}, {@code charset=utf-8; boundary=}), which the front could not answer.
 */
final class MultipartBoundary {
    /** RFC 2046 section 5.1.1: one to 70 characters, the last not a space. */
    private static final int MAX_CHARS = 70;

    private MultipartBoundary() {
    }

    /** Whether {@code contentType} names a boundary of 1 to 70 printable characters, quoted or not. */
    static boolean usable(String contentType) {
        if (contentType == null) {
            return false;
        }
        for (String parameter : contentType.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals < 0 || !parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT).equals("boundary")) {
                continue;
            }
            String value = parameter.substring(equals + 1).strip();
            if (value.startsWith("\"")) {
                // Quoted: both quotes, and something between them (a lone quote made Netty throw, too).
                if (value.length() < 2 || !value.endsWith("\"")) {
                    return false;
                }
                value = value.substring(1, value.length() - 1);
            }
            return !value.isEmpty() && value.length() <= MAX_CHARS && !value.endsWith(" ")
                    && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        }
        return false;
    }
}
