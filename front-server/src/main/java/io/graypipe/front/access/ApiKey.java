package io.graypipe.front.access;

import io.graypipe.front.task.ClientId;
import io.graypipe.protocol.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;

/**
 * One client of the key file: its name, the SHA-256 of its key (never the key itself), and its limits.
 *
 * @param rate   images per second, or null for the front's default ({@code --rate-limit}, or none)
 * @param burst  images at once above the rate, or null for the default
 * @param weight its share against other clients in the fair queue
 */
public record ApiKey(String name, byte[] sha256, Double rate, Long burst, int weight) {
    /** Names are what the metrics are labelled with, so they are short and plain. */
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    public ApiKey {
        if (!name.matches(NAME) || name.equals(ClientId.ANONYMOUS)) {
            throw new IllegalArgumentException("a key's name is 1-64 of [A-Za-z0-9_.-], not '" + ClientId.ANONYMOUS
                    + "': " + name);
        }
        if (sha256.length != 32) {
            throw new IllegalArgumentException("the hash of key " + name + " is not 64 hex digits of SHA-256");
        }
        if (rate != null && !(rate > 0 && rate <= RateLimits.MAX_RATE) || burst != null && burst < 1 || weight < 1) {
            throw new IllegalArgumentException("rate, burst and weight of key " + name + " must be positive, the rate at"
                    + " most " + (long) RateLimits.MAX_RATE + " images per second");
        }
    }

    public ClientId client(String address) {
        return new ClientId(name, address, weight);
    }

    /** SHA-256 of the key as sent, as stored in the file. */
    public static byte[] hash(String key) {
        return Sha256.of(key.getBytes(StandardCharsets.UTF_8));
    }

    /** This key as a line of the key file: {@code NAME SHA256HEX [rate=N] [burst=N] [weight=W]}. */
    public String line() {
        StringBuilder line = new StringBuilder(name).append(' ').append(HexFormat.of().formatHex(sha256));
        if (rate != null) {
            line.append(" rate=").append(rate % 1 == 0 ? String.valueOf(rate.longValue()) : rate.toString());
        }
        if (burst != null) {
            line.append(" burst=").append(burst);
        }
        if (weight != 1) {
            line.append(" weight=").append(weight);
        }
        return line.toString();
    }

    /** Reads one line of the key file (comments and blank lines are skipped by the caller). */
    static ApiKey parse(String line) {
        String[] words = line.strip().split("\\s+");
        if (words.length < 2 || !words[1].matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("expected NAME SHA256HEX [rate=N] [burst=N] [weight=W]");
        }
        Double rate = null;
        Long burst = null;
        int weight = 1;
        for (int i = 2; i < words.length; i++) {
            String[] pair = words[i].split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("expected name=value, got " + words[i]);
            }
            switch (pair[0].toLowerCase(Locale.ROOT)) {
                case "rate" -> rate = number(pair, "a number of images per second, such as 5 or 0.5", Double::valueOf);
                case "burst" -> burst = number(pair, "a whole number of images", Long::valueOf);
                case "weight" -> weight = number(pair, "a whole number up to 2147483647", Integer::valueOf);
                default -> throw new IllegalArgumentException("unknown setting " + pair[0]
                        + " (rate, burst, weight)");
            }
        }
        return new ApiKey(words[0], HexFormat.of().parseHex(words[1].toLowerCase(Locale.ROOT)), rate, burst, weight);
    }

    /** A setting's value, or a refusal in graypipe's words (the parser's own says only "For input string"). */
    private static <T> T number(String[] pair, String expected, Function<String, T> parser) {
        try {
            return parser.apply(pair[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(pair[0] + " must be " + expected + ", not " + pair[1]);
        }
    }
}
