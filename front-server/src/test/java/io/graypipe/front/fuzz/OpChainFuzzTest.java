package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpChainException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any UTF-8 text into the {@code ops} parser ({@link OpChain#parse}), as a client sends it in a query or form field.
 *
 * <p>Invariants: the only failure is an {@link OpChainException} with a message; an accepted chain has at most
 * {@link OpChain#MAX_OPS} operations, its canonical form {@code toString()} parses back to an equal chain with the
 * same canonical form, and its {@code variantName()} is a safe file name ({@code [A-Za-z0-9._-]}, 1 to 120
 * characters) that the canonical form keeps; and a second parse gives the same answer.
 */
class OpChainFuzzTest {
    private static final Pattern VARIANT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,120}");

    @FuzzTest
    void parse(byte[] input) {
        // As the front reads it from a query string or form field: UTF-8, malformed sequences replaced.
        String text = new String(input, StandardCharsets.UTF_8);
        String first = outcome(text);
        assertEquals(first, outcome(text), "the same text must give the same answer");
    }

    /** What the parser made of {@code text}: the canonical chain and its variant name, or the error message. */
    private static String outcome(String text) {
        OpChain chain;
        try {
            chain = OpChain.parse(text);
        } catch (OpChainException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal must say what is wrong");
            return "refused: " + e.getMessage();
        }
        assertTrue(chain.ops().size() <= OpChain.MAX_OPS, "at most " + OpChain.MAX_OPS + " operations: " + chain);
        String canonical = chain.toString();
        OpChain again = OpChain.parse(canonical);
        assertEquals(chain, again, "parse(toString()) must give the same chain for '" + text + "'");
        assertEquals(canonical, again.toString(), "the canonical form must be stable");
        assertEquals(chain, OpChain.of(chain.ops()), "a parsed chain passes OpChain.of's checks too");
        String name = chain.variantName();
        assertTrue(VARIANT_NAME.matcher(name).matches(), "unsafe variant name '" + name + "' for '" + text + "'");
        assertEquals(name, again.variantName(), "equal chains must have equal variant names");
        assertFalse(chain.isEmpty() && !name.equals("gray"), "the empty chain is 'gray'");
        return "accepted: " + canonical + " as " + name;
    }
}
