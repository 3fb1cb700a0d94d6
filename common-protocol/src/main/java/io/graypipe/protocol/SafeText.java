package io.graypipe.protocol;

/**
 * Text that came from a client or a peer, made safe for where it goes: a log line that it cannot split or forge
 * (CR, LF and every other control character escaped), or a file name that cannot name another folder or disguise
 * its extension (no path separators, control or bidirectional-override characters).
 */
public final class SafeText {
    /** Longest client text a log line quotes. */
    public static final int MAX_LOG_CHARS = 512;

    private SafeText() {
    }

    /**
     * {@code text} for a log line: CR, LF, tab and backslash as {@code \r \n \t \\}, other control, format and
     * bidirectional characters as {@code \}{@code uXXXX}, clipped to {@value #MAX_LOG_CHARS} characters.
     */
    public static String forLog(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LOG_CHARS) + 16);
        int end = Math.min(text.length(), MAX_LOG_CHARS);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (unsafe(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return end < text.length() ? out + "...(" + text.length() + " chars)" : out.toString();
    }

    /**
     * Whether {@code c} must never reach a log line, a header or a file name as it is: C0 and C1 controls, DEL,
     * line and paragraph separators, and the bidirectional embedding, override and isolate characters
     * (U+202A to U+202E, U+2066 to U+2069) and marks (U+200E, U+200F, U+061C), which can make {@code gpj.exe}
     * show as {@code exe.jpg}.
     */
    public static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfeff;
    }

    /**
     * One file or folder name from a client or a server, safe to create on any common file system: control
     * characters, path separators and the characters Windows reserves ({@code <>:"|?*}) made {@code _}, the other
     * unsafe characters (bidirectional and line separators, see {@link #unsafe}) dropped, leading dots and surrounding spaces removed, and at most
     * {@code maxChars} characters (the end is kept, with the extension). Empty when nothing usable is left.
     */
    public static String fileName(String name, int maxChars) {
        if (name == null) {
            return "";
        }
        StringBuilder safe = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || "/\\<>:\"|?*".indexOf(c) >= 0) {
                safe.append('_');
            } else if (!unsafe(c)) {
                safe.append(c);
            }
        }
        String stripped = withoutLeadingDots(safe.toString().strip());
        if (stripped.length() <= maxChars) {
            return stripped;
        }
        int cut = stripped.length() - maxChars;
        // Never start in the middle of a surrogate pair.
        if (Character.isLowSurrogate(stripped.charAt(cut))) {
            cut++;
        }
        // The kept end may start with a dot or a space again (fuzz finding F7): strip those too.
        return withoutLeadingDots(stripped.substring(cut));
    }

    /** {@code name} without the dots and spaces it starts with: no hidden file, no name that looks empty. */
    private static String withoutLeadingDots(String name) {
        int start = 0;
        while (start < name.length() && (name.charAt(start) == '.' || Character.isWhitespace(name.charAt(start))
                || Character.isSpaceChar(name.charAt(start)))) {
            start++;
        }
        return name.substring(start);
    }
}
