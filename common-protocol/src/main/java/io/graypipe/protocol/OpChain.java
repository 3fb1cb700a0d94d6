package io.graypipe.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * {@link #parse(String)}, so a worker never runs what a front would have refused. Each operation's argument is
 * parsed, checked and written back by its row of the {@link OpCatalogue}; this class holds what concerns the
 * chain: the commas, the count, the canonical text and the variant name.
 */
public final class OpChain {
    public static final int MAX_OPS = ScaleRequest.MAX_OPS;
    /** The chain with no operations: the plain gray scaled image. */
    public static final OpChain EMPTY = new OpChain(List.of());

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
     * them, {@code gray} for the empty chain, e.g. {@code blur-2_contrast-1.5}. Texts (a watermark's) keep only
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
            if (OpCatalogue.argument(op.kind()) instanceof OpArgument.Text) {
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

    // ---- parsing and checking ----

    private static Op parseOne(String item) {
        int colon = item.indexOf(':');
        String name = colon < 0 ? item : item.substring(0, colon);
        String argument = colon < 0 ? null : item.substring(colon + 1);
        OpKind kind = kindNamed(name);
        if (kind == null) {
            throw new OpChainException("ops: '" + item + "' is not an operation; use one of " + syntaxList());
        }
        return OpCatalogue.argument(kind).parse(kind, item, argument);
    }

    private static OpKind kindNamed(String name) {
        for (OpKind kind : OpKind.values()) {
            if (kind.label().equals(name)) {
                return kind;
            }
        }
        return null;
    }

    private static void check(Op op) {
        OpCatalogue.argument(op.kind()).check(op);
    }

    // ---- messages and formatting ----

    private static OpChainException tooMany(int count) {
        return new OpChainException("ops: " + count + " operations; at most " + MAX_OPS);
    }

    private static String syntaxList() {
        return OpCatalogue.operations().stream().map(OpDescription::syntax).collect(Collectors.joining(", "));
    }

    private static String format(Op op) {
        String argument = argument(op);
        return argument.isEmpty() ? op.kind().label() : op.kind().label() + ":" + argument;
    }

    private static String argument(Op op) {
        return OpCatalogue.argument(op.kind()).format(op);
    }
}
