package io.graypipe.protocol;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The argument of one operation of the {@link OpCatalogue}: its parameters as GET /ops shows them, how it is
 * written after the colon, which of an {@link Op}'s fields ({@code a}, {@code b}, {@code text}) carry it, and how
 * it is parsed, checked and written back in canonical form. {@link OpChain} parses and checks every operation
 * through its row's argument, so an operation's syntax, ranges and choices are written once, in its row.
 *
 * <p>Messages are written for the user who typed the chain: they name the bad part and what to write instead.
 */
sealed interface OpArgument {
    /** Its parameters, in the order they are written. */
    List<OpParameter> parameters();

    /** What follows {@code name:} in the syntax ({@code R}, {@code 90|180|270}, {@code WxH}); empty for none. */
    String written();

    /** Whether the argument may be left out ({@code sharpen[:A]}). */
    default boolean optional() {
        return false;
    }

    /** The operation written as {@code item}; {@code argument} is what follows its first colon, null without one. */
    Op parse(OpKind kind, String item, String argument);

    /** Refuses an op whose fields are out of range or set where this argument does not use them. */
    void check(Op op);

    /** The canonical argument text, without the colon; empty for none. */
    String format(Op op);

    /** Operations that take no argument: {@code invert}. Every field is unused. */
    record None() implements OpArgument {
        @Override
        public List<OpParameter> parameters() {
            return List.of();
        }

        @Override
        public String written() {
            return "";
        }

        @Override
        public Op parse(OpKind kind, String item, String argument) {
            if (argument != null) {
                throw new OpChainException("ops: '" + item + "' takes no argument; use " + syntax(kind));
            }
            return Op.of(kind);
        }

        @Override
        public void check(Op op) {
            unused(op, true, true, true);
        }

        @Override
        public String format(Op op) {
            return "";
        }
    }

    /** One parameter, written as one symbol that stands for its value: {@code blur:R}, {@code watermark:TEXT}. */
    sealed interface Symbol extends OpArgument {
        String symbol();

        OpParameter parameter();

        @Override
        default List<OpParameter> parameters() {
            return List.of(parameter());
        }

        @Override
        default String written() {
            return symbol();
        }
    }

    /**
     * One decimal in {@code a}, written without an exponent ({@code 1.5}, {@code .5}, {@code 2}); a parameter of
     * type {@code integer} must be whole. With a default, the argument may be left out.
     *
     * @param symbol the letter that stands for it in the syntax and the range, e.g. {@code R}
     */
    record Numeric(String symbol, OpParameter parameter) implements Symbol {
        private static final Pattern NUMBER = Pattern.compile("-?(\\d+(\\.\\d*)?|\\.\\d+)");
        private static final int MAX_NUMBER_CHARS = 24;

        @Override
        public boolean optional() {
            return parameter.defaultValue() != null;
        }

        @Override
        public Op parse(OpKind kind, String item, String argument) {
            if (argument == null) {
                if (optional()) {
                    return Op.of(kind, parameter.defaultValue());
                }
                throw new OpChainException("ops: '" + item + "' needs an argument; use " + syntax(kind)
                        + " with " + range());
            }
            if (argument.length() > MAX_NUMBER_CHARS || !NUMBER.matcher(argument).matches()) {
                throw new OpChainException("ops: '" + item + "': '" + argument + "' is not a number; use "
                        + syntax(kind) + " with " + range());
            }
            return Op.of(kind, Double.parseDouble(argument) + 0.0); // + 0.0 turns -0 into 0, so the chain round-trips
        }

        @Override
        public void check(Op op) {
            unused(op, false, true, true);
            String label = op.kind().label();
            if (parameter.type().equals("integer") && op.a() != Math.rint(op.a())) {
                throw new OpChainException("ops: " + label + " " + parameter.name() + " " + number(op.a())
                        + " is not a whole number; use " + range());
            }
            double value = op.a();
            boolean aboveMin = parameter.minExclusive() ? value > parameter.min() : value >= parameter.min();
            if (!aboveMin || value > parameter.max()) {
                throw new OpChainException("ops: " + label + " " + parameter.name() + " " + number(value)
                        + " is out of range; use " + range());
            }
        }

        @Override
        public String format(Op op) {
            return number(op.a());
        }

        /** {@code 0 < R <= 50}. */
        private String range() {
            return number(parameter.min()) + (parameter.minExclusive() ? " < " : " <= ") + symbol + " <= "
                    + number(parameter.max());
        }
    }

    /**
     * One of a few words, carried in {@code a} as a number: the word's own value when the words are numbers
     * ({@code rotate:90}), else its position in the list ({@code flip:h} is 0). A refused position is named by
     * the parameter ({@code flip axis 2}), since the bare number means nothing to the user; a refused number
     * needs no name ({@code rotate 45}).
     *
     * @param byPosition whether {@code a} is the word's position rather than its value
     */
    record Choice(OpParameter parameter, boolean byPosition) implements OpArgument {
        @Override
        public List<OpParameter> parameters() {
            return List.of(parameter);
        }

        @Override
        public String written() {
            return String.join("|", parameter.choices());
        }

        @Override
        public Op parse(OpKind kind, String item, String argument) {
            if (argument == null) {
                throw new OpChainException("ops: '" + item + "' needs an argument; use " + syntax(kind));
            }
            int index = parameter.choices().indexOf(argument);
            if (index < 0) {
                throw new OpChainException("ops: " + kind.label() + " '" + argument + "' is not supported; use "
                        + alternatives(kind));
            }
            return Op.of(kind, byPosition ? index : Integer.parseInt(argument));
        }

        @Override
        public void check(Op op) {
            unused(op, false, true, true);
            boolean known = byPosition
                    ? op.a() == Math.rint(op.a()) && op.a() >= 0 && op.a() < parameter.choices().size()
                    : parameter.choices().contains(number(op.a()));
            if (!known) {
                String what = byPosition ? op.kind().label() + " " + parameter.name() : op.kind().label();
                throw new OpChainException("ops: " + what + " " + number(op.a()) + " is not supported; use "
                        + alternatives(op.kind()));
            }
        }

        @Override
        public String format(Op op) {
            return byPosition ? parameter.choices().get((int) op.a()) : number(op.a());
        }

        /** {@code rotate:90, rotate:180 or rotate:270}. */
        private String alternatives(OpKind kind) {
            List<String> written = parameter.choices().stream().map(c -> kind.label() + ":" + c).toList();
            return String.join(", ", written.subList(0, written.size() - 1)) + " or "
                    + written.get(written.size() - 1);
        }
    }

    /**
     * Text in {@code text}: printable ASCII other than the comma (commas separate operations), at least one
     * character and at most the parameter's {@code max}.
     *
     * @param symbol what stands for it in the syntax, e.g. {@code TEXT}
     */
    record Text(String symbol, OpParameter parameter) implements Symbol {
        @Override
        public Op parse(OpKind kind, String item, String argument) {
            if (argument == null) {
                throw new OpChainException("ops: '" + item + "' needs an argument; use " + syntax(kind)
                        + " with 1 to " + maxLength() + " printable ASCII characters other than the comma");
            }
            checkText(kind, argument); // before the Op, which refuses such text with a less helpful message
            return new Op(kind, 0, 0, argument);
        }

        @Override
        public void check(Op op) {
            unused(op, true, true, false);
            checkText(op.kind(), op.text());
        }

        @Override
        public String format(Op op) {
            return op.text();
        }

        private void checkText(OpKind kind, String text) {
            String what = "ops: " + kind.label() + " " + parameter.name();
            String use = "; use " + syntax(kind) + " with 1 to " + maxLength()
                    + " printable ASCII characters (space to ~) other than the comma";
            if (text.isEmpty()) {
                throw new OpChainException(what + " is empty" + use);
            }
            if (text.length() > maxLength()) {
                throw new OpChainException(what + " has " + text.length() + " characters" + use);
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < ' ' || c > '~' || c == ',') {
                    throw new OpChainException(String.format("%s has %s (U+%04X) at position %d%s", what,
                            c == ',' ? "a comma" : "a character that is not printable ASCII", (int) c, i + 1, use));
                }
            }
        }

        private int maxLength() {
            return parameter.max().intValue();
        }
    }

    /**
     * A box {@code WxH} of whole pixels: the width in {@code a}, the height in {@code b}. Both sides share one
     * range, so that one message can give it.
     */
    record Size(String widthSymbol, OpParameter width, String heightSymbol, OpParameter height)
            implements OpArgument {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,9})x(\\d{1,9})");

        public Size {
            if (!width.min().equals(height.min()) || !width.max().equals(height.max())) {
                throw new IllegalArgumentException("a box's width and height share one range");
            }
        }

        @Override
        public List<OpParameter> parameters() {
            return List.of(width, height);
        }

        @Override
        public String written() {
            return widthSymbol + "x" + heightSymbol;
        }

        @Override
        public Op parse(OpKind kind, String item, String argument) {
            if (argument == null) {
                throw new OpChainException("ops: '" + item + "' needs an argument; use " + syntax(kind)
                        + example(kind));
            }
            Matcher m = SIZE.matcher(argument);
            if (!m.matches()) {
                throw new OpChainException("ops: '" + item + "' is not " + written() + "; use " + syntax(kind)
                        + " with whole numbers" + example(kind));
            }
            return new Op(kind, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), "");
        }

        @Override
        public void check(Op op) {
            unused(op, false, false, true);
            if (!within(op.a(), width) || !within(op.b(), height)) {
                throw new OpChainException("ops: " + op.kind().label() + " " + format(op) + " is out of range; use "
                        + syntax(op.kind()) + " with " + number(width.min()) + " <= " + widthSymbol + ", "
                        + heightSymbol + " <= " + number(width.max()));
            }
        }

        @Override
        public String format(Op op) {
            return number(op.a()) + "x" + number(op.b());
        }

        private static boolean within(double side, OpParameter range) {
            return side == Math.rint(side) && side >= range.min() && side <= range.max();
        }

        private static String example(OpKind kind) {
            return ", e.g. " + kind.label() + ":800x600";
        }
    }

    private static String syntax(OpKind kind) {
        return OpCatalogue.describe(kind).syntax();
    }

    private static void unused(Op op, boolean aUnused, boolean bUnused, boolean textUnused) {
        if ((aUnused && op.a() != 0) || (bUnused && op.b() != 0) || (textUnused && !op.text().isEmpty())) {
            throw new OpChainException("ops: " + op.kind().label() + " got arguments it does not take; use "
                    + syntax(op.kind()));
        }
    }

    /** Shortest decimal that parses back to the same double: 2 rather than 2.0, 1.5, 0.25. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
