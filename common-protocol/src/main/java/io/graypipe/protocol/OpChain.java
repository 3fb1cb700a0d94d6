package io.graypipe.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * An immutable chain of at most {@link #MAX_OPS} filter operations, applied in order after scaling.
 *
 * <p>The user syntax is the ops joined by commas, each {@code name} or {@code name:argument}:
 * {@code blur:2,contrast:1.5,sepia}. Commas always separate operations, so a watermark text cannot contain one;
 * it may contain colons (only the first colon of an operation ends its name). Nothing is trimmed: spaces are part
 * of what they touch. Numbers are decimals ({@code 1.5}, {@code .5}, {@code 2}); exponents are not accepted.
 * The empty string is the empty chain.
 *
 * <p>{@link #of(List)} checks a chain that arrives as {@link Op}s (from the wire) by the same rules as
 * {@link #parse(String)}, so a worker never runs what a front would have refused.
 */
public final class OpChain {
    public static final int MAX_OPS = ScaleRequest.MAX_OPS;
    /** The chain with no operations: the plain gray scaled image. */
    public static final OpChain EMPTY = new OpChain(List.of());

    private static final Pattern NUMBER = Pattern.compile("-?(\\d+(\\.\\d*)?|\\.\\d+)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})x(\\d{1,9})");
    private static final int MAX_NUMBER_CHARS = 24;
    /** Longest variant name before it is shortened and a checksum appended. */
    private static final int MAX_VARIANT_CHARS = 120;

    private final List<Op> ops;

    private OpChain(List<Op> ops) {
        this.ops = ops;
    }

    /** Checks count, ranges and unused fields of ops that did not come from {@link #parse(String)}. */
    public static OpChain of(List<Op> ops) {
        if (ops.size() > MAX_OPS) {
            throw tooMany(ops.size());
        }
        for (Op op : ops) {
            check(op);
        }
        return ops.isEmpty() ? EMPTY : new OpChain(List.copyOf(ops));
    }

    /** Parses the user syntax; see the class comment. */
    public static OpChain parse(String text) {
        if (text.isEmpty()) {
            return EMPTY;
        }
        String[] items = text.split(",", -1);
        if (items.length > MAX_OPS) {
            throw tooMany(items.length);
        }
        List<Op> ops = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            if (items[i].isEmpty()) {
                throw new OpChainException("ops: operation " + (i + 1) + " of '" + text
                        + "' is empty; separate operations with single commas");
            }
            Op op = parseOne(items[i]);
            check(op);
            ops.add(op);
        }
        return new OpChain(List.copyOf(ops));
    }

    public List<Op> ops() {
        return ops;
    }

    /**
     * The size a {@code width × height} image has after this chain: {@code resize} fits it inside its box
     * ({@link #fitInside}), {@code rotate:90} and {@code rotate:270} swap the sides, every other op keeps them.
     *
     * @return {width, height}
     */
    public int[] sizeAfter(int width, int height) {
        int w = width;
        int h = height;
        for (Op op : ops) {
            if (op.kind() == OpKind.RESIZE) {
                int[] fitted = fitInside(w, h, (int) op.a(), (int) op.b());
                w = fitted[0];
                h = fitted[1];
            } else if (op.kind() == OpKind.ROTATE && op.a() != 180) {
                int swap = w;
                w = h;
                h = swap;
            }
        }
        return new int[]{w, h};
    }

    /**
     * {@code resize:WxH}'s size rule: a {@code w × h} image that fits inside {@code boxW × boxH} keeps its size
     * (never enlarged); otherwise the limiting side becomes the box's and the other {@code max(1, floor(side·ratio))},
     * in exact integers.
     *
     * @return {width, height}
     */
    public static int[] fitInside(int w, int h, int boxW, int boxH) {
        if (w <= boxW && h <= boxH) {
            return new int[]{w, h};
        }
        if ((long) boxW * h <= (long) boxH * w) { // width limits
            return new int[]{boxW, (int) Math.max(1, (long) h * boxW / w)};
        }
        return new int[]{(int) Math.max(1, (long) w * boxH / h), boxH};
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The canonical user syntax: {@code parse(toString())} equals this chain. */
    @Override
    public String toString() {
        return ops.stream().map(OpChain::format).collect(Collectors.joining(","));
    }

    /**
     * A readable name that is safe as a file or folder name: characters {@code [A-Za-z0-9._-]}, at most 120 of
     * them, {@code gray} for the empty chain, e.g. {@code blur-2_contrast-1.5}. Watermark texts keep only
     * {@code [A-Za-z0-9-]}; whenever that or shortening loses information, a checksum of the canonical chain is
     * appended, so different chains get different names.
     */
    public String variantName() {
        if (ops.isEmpty()) {
            return "gray";
        }
        boolean lossy = false;
        StringBuilder name = new StringBuilder();
        for (Op op : ops) {
            if (name.length() > 0) {
                name.append('_');
            }
            name.append(op.kind().label());
            String argument = argument(op);
            if (op.kind() == OpKind.WATERMARK) {
                String safe = argument.replaceAll("[^A-Za-z0-9-]+", "-");
                lossy |= !safe.equals(argument);
                argument = safe;
            }
            if (!argument.isEmpty()) {
                name.append('-').append(argument);
            }
        }
        // The checksum takes 9 characters ("-" and 8 hex digits): a name that gets one must leave room for it.
        if (name.length() > (lossy ? MAX_VARIANT_CHARS - 9 : MAX_VARIANT_CHARS)) {
            name.setLength(MAX_VARIANT_CHARS - 9);
            lossy = true;
        }
        if (lossy) {
            CRC32 crc = new CRC32();
            crc.update(toString().getBytes(StandardCharsets.US_ASCII));
            name.append('-').append(String.format("%08x", crc.getValue()));
        }
        return name.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OpChain chain && chain.ops.equals(ops);
    }

    @Override
    public int hashCode() {
        return ops.hashCode();
    }

    // ---- parsing ----

    private static Op parseOne(String item) {
        int colon = item.indexOf(':');
        String name = colon < 0 ? item : item.substring(0, colon);
        String argument = colon < 0 ? null : item.substring(colon + 1);
        OpKind kind = kindNamed(name);
        if (kind == null) {
            throw new OpChainException("ops: '" + item + "' is not an operation; use one of " + syntaxList());
        }
        String syntax = OpCatalogue.describe(kind).syntax();
        boolean takesArgument = !OpCatalogue.describe(kind).parameters().isEmpty();
        if (!takesArgument) {
            if (argument != null) {
                throw new OpChainException("ops: '" + item + "' takes no argument; use " + syntax);
            }
            return Op.of(kind);
        }
        if (argument == null) {
            if (kind == OpKind.SHARPEN) {
                return Op.of(kind, OpCatalogue.DEFAULT_SHARPEN_AMOUNT);
            }
            throw new OpChainException("ops: '" + item + "' needs an argument; use " + syntax + usage(kind));
        }
        return switch (kind) {
            case WATERMARK -> parseWatermark(argument);
            case RESIZE -> parseSize(item, argument);
            case ROTATE -> Op.of(kind, choice(kind, argument, List.of("90", "180", "270")));
            case FLIP -> Op.of(kind, choice(kind, argument, List.of("h", "v")));
            default -> Op.of(kind, number(item, kind, argument));
        };
    }

    private static OpKind kindNamed(String name) {
        for (OpKind kind : OpKind.values()) {
            if (kind.label().equals(name)) {
                return kind;
            }
        }
        return null;
    }

    private static double number(String item, OpKind kind, String argument) {
        if (argument.length() > MAX_NUMBER_CHARS || !NUMBER.matcher(argument).matches()) {
            throw new OpChainException("ops: '" + item + "': '" + argument + "' is not a number; use "
                    + OpCatalogue.describe(kind).syntax() + usage(kind));
        }
        return Double.parseDouble(argument) + 0.0; // + 0.0 turns -0 into 0, so the chain round-trips
    }

    private static int choice(OpKind kind, String argument, List<String> choices) {
        int index = choices.indexOf(argument);
        if (index < 0) {
            throw new OpChainException("ops: " + kind.label() + " '" + argument + "' is not supported; use "
                    + alternatives(kind, choices));
        }
        return kind == OpKind.FLIP ? index : Integer.parseInt(argument);
    }

    private static Op parseWatermark(String text) {
        checkWatermark(text);
        return new Op(OpKind.WATERMARK, 0, 0, text);
    }

    private static Op parseSize(String item, String argument) {
        Matcher m = SIZE.matcher(argument);
        if (!m.matches()) {
            throw new OpChainException("ops: '" + item + "' is not WxH; use resize:WxH with whole numbers, e.g. "
                    + "resize:800x600");
        }
        return new Op(OpKind.RESIZE, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), "");
    }

    // ---- checking (shared by parse and of) ----

    private static void check(Op op) {
        OpKind kind = op.kind();
        switch (kind) {
            case INVERT, EDGES, EMBOSS, SEPIA -> unused(op, true, true, true);
            case BRIGHTNESS, CONTRAST, BLUR, SHARPEN -> {
                unused(op, false, true, true);
                inRange(kind, op.a());
            }
            case POSTERIZE -> {
                unused(op, false, true, true);
                if (op.a() != Math.rint(op.a())) {
                    throw new OpChainException("ops: posterize bits " + number(op.a())
                            + " is not a whole number; use " + range(kind));
                }
                inRange(kind, op.a());
            }
            case WATERMARK -> {
                unused(op, true, true, false);
                checkWatermark(op.text());
            }
            case RESIZE -> {
                unused(op, false, false, true);
                if (!whole(op.a()) || !whole(op.b())) {
                    throw new OpChainException("ops: resize " + number(op.a()) + "x" + number(op.b())
                            + " is out of range; use resize:WxH with 1 <= W, H <= " + OpCatalogue.MAX_RESIZE_SIDE);
                }
            }
            case ROTATE -> {
                unused(op, false, true, true);
                if (op.a() != 90 && op.a() != 180 && op.a() != 270) {
                    throw new OpChainException("ops: rotate " + number(op.a()) + " is not supported; use "
                            + alternatives(kind, List.of("90", "180", "270")));
                }
            }
            case FLIP -> {
                unused(op, false, true, true);
                if (op.a() != 0 && op.a() != 1) {
                    throw new OpChainException("ops: flip axis " + number(op.a()) + " is not supported; use "
                            + alternatives(kind, List.of("h", "v")));
                }
            }
        }
    }

    private static boolean whole(double side) {
        return side == Math.rint(side) && side >= 1 && side <= OpCatalogue.MAX_RESIZE_SIDE;
    }

    private static void unused(Op op, boolean aUnused, boolean bUnused, boolean textUnused) {
        if ((aUnused && op.a() != 0) || (bUnused && op.b() != 0) || (textUnused && !op.text().isEmpty())) {
            throw new OpChainException("ops: " + op.kind().label() + " got arguments it does not take; use "
                    + OpCatalogue.describe(op.kind()).syntax());
        }
    }

    private static void inRange(OpKind kind, double value) {
        OpParameter p = OpCatalogue.describe(kind).parameters().get(0);
        boolean aboveMin = p.minExclusive() ? value > p.min() : value >= p.min();
        if (!aboveMin || value > p.max()) {
            throw new OpChainException("ops: " + kind.label() + " " + p.name() + " " + number(value)
                    + " is out of range; use " + range(kind));
        }
    }

    private static void checkWatermark(String text) {
        String use = "; use watermark:TEXT with 1 to " + Op.MAX_TEXT_CHARS
                + " printable ASCII characters (space to ~) other than the comma";
        if (text.isEmpty()) {
            throw new OpChainException("ops: watermark text is empty" + use);
        }
        if (text.length() > Op.MAX_TEXT_CHARS) {
            throw new OpChainException("ops: watermark text has " + text.length() + " characters" + use);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < ' ' || c > '~' || c == ',') {
                throw new OpChainException(String.format("ops: watermark text has %s (U+%04X) at position %d%s",
                        c == ',' ? "a comma" : "a character that is not printable ASCII", (int) c, i + 1, use));
            }
        }
    }

    // ---- messages and formatting ----

    private static OpChainException tooMany(int count) {
        return new OpChainException("ops: " + count + " operations; at most " + MAX_OPS);
    }

    /** {@code 0 < R <= 50}: the range of the single numeric argument, with the letter of its syntax. */
    private static String range(OpKind kind) {
        OpParameter p = OpCatalogue.describe(kind).parameters().get(0);
        String syntax = OpCatalogue.describe(kind).syntax();
        String letter = syntax.substring(syntax.indexOf(':') + 1, syntax.indexOf(':') + 2);
        return number(p.min()) + (p.minExclusive() ? " < " : " <= ") + letter + " <= " + number(p.max());
    }

    private static String usage(OpKind kind) {
        return switch (kind) {
            case BRIGHTNESS, CONTRAST, BLUR, SHARPEN, POSTERIZE -> " with " + range(kind);
            case WATERMARK -> " with 1 to " + Op.MAX_TEXT_CHARS + " printable ASCII characters other than the comma";
            case RESIZE -> ", e.g. resize:800x600";
            default -> "";
        };
    }

    private static String alternatives(OpKind kind, List<String> choices) {
        List<String> written = choices.stream().map(c -> kind.label() + ":" + c).toList();
        return String.join(", ", written.subList(0, written.size() - 1)) + " or " + written.get(written.size() - 1);
    }

    private static String syntaxList() {
        return OpCatalogue.operations().stream().map(OpDescription::syntax).collect(Collectors.joining(", "));
    }

    private static String format(Op op) {
        String argument = argument(op);
        return argument.isEmpty() ? op.kind().label() : op.kind().label() + ":" + argument;
    }

    private static String argument(Op op) {
        return switch (op.kind()) {
            case INVERT, EDGES, EMBOSS, SEPIA -> "";
            case WATERMARK -> op.text();
            case RESIZE -> number(op.a()) + "x" + number(op.b());
            case FLIP -> op.a() == 0 ? "h" : "v";
            default -> number(op.a());
        };
    }

    /** Shortest decimal that parses back to the same double: 2 rather than 2.0, 1.5, 0.25. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
