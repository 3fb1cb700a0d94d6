package io.graypipe.protocol;

/**
 * The filter operations a request can chain after scaling. Codes are part of the wire format (PROTOCOL.md,
 * "Ops"); names are the ones users type in {@code ops=} chains. What {@code a}, {@code b} and {@code text} of an
 * {@link Op} mean for each kind is documented on the constant. Each kind's argument syntax, ranges and defaults
 * live in its row of {@link OpCatalogue}, the chain syntax in {@link OpChain}, and the exact pixel semantics in
 * docs/filters.md.
 */
public enum OpKind implements WireEnum {
    /** {@code 255 − v}. No arguments. */
    INVERT(1, "invert"),
    /** {@code v·a}, clamped; 0 ≤ a ≤ 4. */
    BRIGHTNESS(2, "brightness"),
    /** {@code m + (v − m)·a}, clamped, m the rounded mean level; 0 ≤ a ≤ 4. */
    CONTRAST(3, "contrast"),
    /** Gaussian blur with standard deviation a; 0 &lt; a ≤ 50. */
    BLUR(4, "blur"),
    /** Unsharp mask {@code v + a·(v − gauss₁(v))}; 0 &lt; a ≤ 5. */
    SHARPEN(5, "sharpen"),
    /** 3×3 FIND_EDGES kernel. No arguments. */
    EDGES(6, "edges"),
    /** 3×3 EMBOSS kernel plus 128. No arguments. */
    EMBOSS(7, "emboss"),
    /** Keep the top a bits; a in 1..8. */
    POSTERIZE(8, "posterize"),
    /** Gray to RGB with the CSS sepia(1) matrix. No arguments. */
    SEPIA(9, "sepia"),
    /** Draw {@code text} (1–100 printable ASCII characters) in the bottom-right corner. */
    WATERMARK(10, "watermark"),
    /** Fit inside a × b (whole pixels, each ≥ 1), never enlarging. */
    RESIZE(11, "resize"),
    /** Rotate clockwise by a degrees: 90, 180 or 270. */
    ROTATE(12, "rotate"),
    /** Mirror: a = 0 horizontally (left–right), a = 1 vertically (top–bottom). */
    FLIP(13, "flip");

    private final byte code;
    private final String label;

    OpKind(int code, String label) {
        this.code = (byte) code;
        this.label = label;
    }

    @Override
    public byte code() {
        return code;
    }

    /** The name users type, e.g. {@code blur}. */
    public String label() {
        return label;
    }

    public static OpKind fromCode(byte code) {
        return WireEnum.byCode(OpKind.class, code).orElseThrow(
                () -> new ProtocolException(ErrorCode.MALFORMED, "unknown op code " + (code & 0xff)));
    }
}
