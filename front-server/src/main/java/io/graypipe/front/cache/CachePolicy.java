package io.graypipe.front.cache;

import java.util.Locale;

/** What one request lets the result cache do: the {@code cache} parameter. */
public enum CachePolicy {
    /** Answer from the cache when it holds the result; store the result when it does not. */
    USE,
    /** Compute afresh, then store the new result over the old one. */
    BYPASS,
    /** Neither read nor write. */
    OFF;

    /** The policy named {@code text} ({@code use}, {@code bypass}, {@code off}), or null. */
    public static CachePolicy parse(String text) {
        for (CachePolicy policy : values()) {
            if (policy.label().equals(text.toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        return null;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
