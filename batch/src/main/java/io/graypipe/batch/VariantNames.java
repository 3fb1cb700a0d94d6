package io.graypipe.batch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The folder name of a variant, derived from its op chain: readable and safe on every file system.
 * {@code sepia} stays {@code sepia}, {@code blur:2,contrast:1.5} becomes {@code blur-2_contrast-1.5}, no chain is
 * {@code gray}. Kept alone in this class so it can be switched to common-protocol's {@code OpChain.variantName()}
 * once that lands.
 */
final class VariantNames {
    /** The name of the variant without ops: graypipe's plain gray output. */
    static final String PLAIN = "gray";
    private static final int MAX_LENGTH = 100;

    private VariantNames() {
    }

    static String of(String chain) {
        if (chain == null || chain.isBlank()) {
            return PLAIN;
        }
        String name = Arrays.stream(chain.split(","))
                .map(String::strip)
                .filter(op -> !op.isEmpty())
                .map(VariantNames::opName)
                .collect(Collectors.joining("_"));
        if (name.isEmpty()) {
            return PLAIN;
        }
        if (name.length() > MAX_LENGTH) {
            // A long watermark text must not exceed the file system's name limit; the hash keeps names distinct.
            name = name.substring(0, MAX_LENGTH) + "-" + Integer.toHexString(chain.hashCode());
        }
        return name;
    }

    /** {@code op:arg} as {@code op-arg}; every character outside [A-Za-z0-9.] becomes one '-', never leading. */
    private static String opName(String op) {
        StringBuilder name = new StringBuilder();
        for (byte b : op.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c == '.' && name.length() > 0);
            if (safe) {
                name.append(c);
            } else if (name.length() > 0 && name.charAt(name.length() - 1) != '-') {
                name.append('-');
            }
        }
        while (name.length() > 0 && name.charAt(name.length() - 1) == '-') {
            name.setLength(name.length() - 1);
        }
        return name.toString();
    }
}
