package io.graypipe.protocol;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every filter operation with its arguments, ranges, defaults and a one-line description: the single source of
 * the ranges that {@link OpChain} enforces, and what the front serves as {@code GET /ops}.
 */
public final class OpCatalogue {
    /** Largest brightness and contrast factor. */
    public static final double MAX_FACTOR = 4;
    /** Largest blur standard deviation, in pixels. */
    public static final double MAX_BLUR_RADIUS = 50;
    /** Largest sharpen amount. */
    public static final double MAX_SHARPEN_AMOUNT = 5;
    /** Sharpen amount when {@code sharpen} is written without one. */
    public static final double DEFAULT_SHARPEN_AMOUNT = 1;
    /** Largest side of a {@code resize} box, in pixels. */
    public static final int MAX_RESIZE_SIDE = 65_535;

    private static final Map<OpKind, OpDescription> BY_KIND = new EnumMap<>(OpKind.class);

    static {
        add(OpKind.INVERT, "invert", "Negative: each level v becomes 255 - v.");
        add(OpKind.BRIGHTNESS, "brightness:F", "Multiplies each level by F, clamped (Pillow's ImageEnhance.Brightness).",
                OpParameter.number("factor", 0, false, MAX_FACTOR, null, "0 is black, 1 leaves the image as it is"));
        add(OpKind.CONTRAST, "contrast:F",
                "Moves each level away from the image's mean by F, clamped (Pillow's ImageEnhance.Contrast).",
                OpParameter.number("factor", 0, false, MAX_FACTOR, null, "0 is flat mean gray, 1 leaves the image as it is"));
        add(OpKind.BLUR, "blur:R", "Gaussian blur with standard deviation R pixels (Pillow's GaussianBlur).",
                OpParameter.number("radius", 0, true, MAX_BLUR_RADIUS, null, "standard deviation in pixels"));
        add(OpKind.SHARPEN, "sharpen[:A]", "Unsharp mask v + A·(v - blur₁(v)), clamped.",
                OpParameter.number("amount", 0, true, MAX_SHARPEN_AMOUNT, DEFAULT_SHARPEN_AMOUNT,
                        "how much of the detail to add back"));
        add(OpKind.EDGES, "edges", "Edge detection with the 3×3 kernel of Pillow's FIND_EDGES.");
        add(OpKind.EMBOSS, "emboss", "Relief with the 3×3 kernel of Pillow's EMBOSS, around mid-gray 128.");
        add(OpKind.POSTERIZE, "posterize:B", "Keeps the top B bits of each level (Pillow's ImageOps.posterize).",
                OpParameter.integer("bits", 1, 8, "1 gives two levels, 8 leaves the image as it is"));
        add(OpKind.SEPIA, "sepia", "Brown tone with the CSS sepia(1) matrix; makes a colour image.");
        add(OpKind.WATERMARK, "watermark:TEXT",
                "Draws TEXT semi-transparent in the bottom-right corner, sized to the image.",
                OpParameter.text("text", 1, Op.MAX_TEXT_CHARS, "printable ASCII, without commas"));
        add(OpKind.RESIZE, "resize:WxH", "Fits the image inside W×H, keeping its aspect ratio, never enlarging.",
                OpParameter.integer("width", 1, MAX_RESIZE_SIDE, "largest width in pixels"),
                OpParameter.integer("height", 1, MAX_RESIZE_SIDE, "largest height in pixels"));
        add(OpKind.ROTATE, "rotate:90|180|270", "Rotates clockwise by D degrees, exactly.",
                OpParameter.choice("degrees", List.of("90", "180", "270"), "clockwise angle"));
        add(OpKind.FLIP, "flip:h|v", "Mirrors the image: h left to right, v top to bottom.",
                OpParameter.choice("axis", List.of("h", "v"), "h mirrors left-right, v top-bottom"));
    }

    private OpCatalogue() {
    }

    private static void add(OpKind kind, String syntax, String description, OpParameter... parameters) {
        BY_KIND.put(kind, new OpDescription(kind.label(), syntax, description, List.of(parameters)));
    }

    /** All operations, in the order of {@link OpKind}. */
    public static List<OpDescription> operations() {
        return List.copyOf(BY_KIND.values());
    }

    public static OpDescription describe(OpKind kind) {
        return BY_KIND.get(kind);
    }
}
