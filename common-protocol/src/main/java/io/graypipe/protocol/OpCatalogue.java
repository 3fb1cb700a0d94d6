package io.graypipe.protocol;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every filter operation with its argument, ranges, choices, defaults and a one-line description: one row per
 * operation, the single source of what {@link OpChain} parses, checks and writes back (through the row's
 * {@link OpArgument}), and of what the front serves as {@code GET /ops}. A new operation is a new {@link OpKind}
 * (its wire code), a row here, and its filter in the worker.
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

    /** One operation: what GET /ops shows, and the argument that parses and checks it. */
    private record Row(OpDescription description, OpArgument argument) {
    }

    private static final Map<OpKind, Row> BY_KIND = new EnumMap<>(OpKind.class);

    static {
        add(OpKind.INVERT, "Negative: each level v becomes 255 - v.", new OpArgument.None());
        add(OpKind.BRIGHTNESS, "Multiplies each level by F, clamped (Pillow's ImageEnhance.Brightness).",
                new OpArgument.Numeric("F", OpParameter.number("factor", 0, false, MAX_FACTOR, null,
                        "0 is black, 1 leaves the image as it is")));
        add(OpKind.CONTRAST,
                "Moves each level away from the image's mean by F, clamped (Pillow's ImageEnhance.Contrast).",
                new OpArgument.Numeric("F", OpParameter.number("factor", 0, false, MAX_FACTOR, null,
                        "0 is flat mean gray, 1 leaves the image as it is")));
        add(OpKind.BLUR, "Gaussian blur with standard deviation R pixels (Pillow's GaussianBlur).",
                new OpArgument.Numeric("R", OpParameter.number("radius", 0, true, MAX_BLUR_RADIUS, null,
                        "standard deviation in pixels")));
        add(OpKind.SHARPEN, "Unsharp mask v + A·(v - blur₁(v)), clamped.",
                new OpArgument.Numeric("A", OpParameter.number("amount", 0, true, MAX_SHARPEN_AMOUNT,
                        DEFAULT_SHARPEN_AMOUNT, "how much of the detail to add back")));
        add(OpKind.EDGES, "Edge detection with the 3×3 kernel of Pillow's FIND_EDGES.", new OpArgument.None());
        add(OpKind.EMBOSS, "Relief with the 3×3 kernel of Pillow's EMBOSS, around mid-gray 128.",
                new OpArgument.None());
        add(OpKind.POSTERIZE, "Keeps the top B bits of each level (Pillow's ImageOps.posterize).",
                new OpArgument.Numeric("B", OpParameter.integer("bits", 1, 8,
                        "1 gives two levels, 8 leaves the image as it is")));
        add(OpKind.SEPIA, "Brown tone with the CSS sepia(1) matrix; makes a colour image.", new OpArgument.None());
        add(OpKind.WATERMARK, "Draws TEXT semi-transparent in the bottom-right corner, sized to the image.",
                new OpArgument.Text("TEXT", OpParameter.text("text", 1, Op.MAX_TEXT_CHARS,
                        "printable ASCII, without commas")));
        add(OpKind.RESIZE, "Fits the image inside W×H, keeping its aspect ratio, never enlarging.",
                new OpArgument.Size("W", OpParameter.integer("width", 1, MAX_RESIZE_SIDE, "largest width in pixels"),
                        "H", OpParameter.integer("height", 1, MAX_RESIZE_SIDE, "largest height in pixels")));
        add(OpKind.ROTATE, "Rotates clockwise by D degrees, exactly.",
                new OpArgument.Choice(OpParameter.choice("degrees", List.of("90", "180", "270"), "clockwise angle"),
                        false));
        add(OpKind.FLIP, "Mirrors the image: h left to right, v top to bottom.",
                new OpArgument.Choice(OpParameter.choice("axis", List.of("h", "v"),
                        "h mirrors left-right, v top-bottom"), true));
    }

    private OpCatalogue() {
    }

    /** The syntax follows from the argument: {@code invert}, {@code blur:R}, {@code sharpen[:A]}, {@code flip:h|v}. */
    private static void add(OpKind kind, String description, OpArgument argument) {
        String written = argument.written();
        String syntax = written.isEmpty() ? kind.label()
                : argument.optional() ? kind.label() + "[:" + written + "]" : kind.label() + ":" + written;
        BY_KIND.put(kind, new Row(new OpDescription(kind.label(), syntax, description, argument.parameters()),
                argument));
    }

    /** All operations, in the order of {@link OpKind}. */
    public static List<OpDescription> operations() {
        return BY_KIND.values().stream().map(Row::description).toList();
    }

    public static OpDescription describe(OpKind kind) {
        return BY_KIND.get(kind).description();
    }

    /** How {@code kind}'s argument is parsed, checked and written. */
    static OpArgument argument(OpKind kind) {
        return BY_KIND.get(kind).argument();
    }
}
