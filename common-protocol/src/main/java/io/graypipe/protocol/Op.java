package io.graypipe.protocol;

/**
 * One step of a filter chain as it crosses the wire: a kind and up to two numbers and a text, whose meaning
 * depends on the kind ({@link OpKind}). Unused fields are 0 or empty. The record checks only what the wire
 * layout needs; the ranges of each kind are checked where a chain is parsed and where it is executed.
 */
public record Op(OpKind kind, double a, double b, String text) {
    /** Longest watermark text, in characters (printable ASCII, so also in bytes). */
    public static final int MAX_TEXT_CHARS = 100;

    public Op {
        if (kind == null) {
            throw new IllegalArgumentException("op kind is required");
        }
        if (text == null) {
            text = "";
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("op text longer than " + MAX_TEXT_CHARS + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 0x20 || text.charAt(i) > 0x7e) {
                throw new IllegalArgumentException("op text must be printable ASCII");
            }
        }
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("op arguments must be finite");
        }
    }

    public static Op of(OpKind kind) {
        return new Op(kind, 0, 0, "");
    }

    public static Op of(OpKind kind, double a) {
        return new Op(kind, a, 0, "");
    }
}
