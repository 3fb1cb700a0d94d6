package io.graypipe.front.access;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.testing.ExceptionText;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as the key file ({@code --api-keys}), read as the front reads it at start and on every change
 * ({@link ApiKeys#read}); a bad file stops the start, or keeps the keys in force and is logged.
 *
 * <p>Invariants: the only failure is an {@link IOException} naming the file, and the line at fault when there is
 * one, in graypipe's words (never a parser's own text, such as {@code For input string}); accepted keys have
 * unique, plain names and 32-byte hashes, each {@link ApiKey#line()} reads back to the same key, and each key's
 * limit (its rate, with its burst or the default burst) is one the rate limiter takes: a fresh bucket allows an
 * image, with a well-formed {@code RateLimit-Policy}; the same file gives the same keys twice.
 */
class ApiKeysFuzzTest {
    private static final Pattern POLICY = Pattern.compile("\"images\";q=[1-9][0-9]*;w=[1-9][0-9]*");
    private static final Path FILE = keyFile();

    @FuzzTest
    void keyFile(byte[] input) throws IOException {
        Files.write(FILE, input);
        String first = outcome(new String(input, StandardCharsets.ISO_8859_1));
        assertEquals(first, outcome(new String(input, StandardCharsets.ISO_8859_1)), "the same file twice");
    }

    private static String outcome(String text) {
        List<ApiKey> keys;
        try {
            keys = ApiKeys.read(FILE);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            assertTrue(message.startsWith(FILE + ": ") || message.startsWith(FILE + " line "),
                    "a refusal names the file (and line): " + message);
            ExceptionText.assertNotQuoted(message, text);
            return "refused " + message;
        }
        Set<String> names = new HashSet<>();
        try (RateLimits limits = RateLimits.local()) {
            for (ApiKey key : keys) {
                assertTrue(key.name().matches(ApiKey.NAME) && names.add(key.name()), "name " + key.name());
                assertEquals(32, key.sha256().length);
                ApiKey again = ApiKey.parse(key.line());
                assertEquals(key.name(), again.name());
                assertArrayEquals(key.sha256(), again.sha256());
                assertEquals(key.rate(), again.rate(), "rate of " + key.line());
                assertEquals(key.burst(), again.burst());
                assertEquals(key.weight(), again.weight());
                if (key.rate() != null) {
                    // The burst AccessControl gives a key without one (and no --burst): the rate, rounded up.
                    long burst = key.burst() != null ? key.burst() : Math.max(1, (long) Math.ceil(key.rate()));
                    RateLimits.Limit limit = new RateLimits.Limit(key.rate(), burst);
                    assertTrue(POLICY.matcher(limit.policy()).matches(), "policy " + limit.policy());
                    RateLimits.Verdict verdict = limits.spend(key.name(), limit, 1).join();
                    assertTrue(verdict.allowed(), "a fresh bucket allows one image: " + key.line());
                }
            }
        }
        return "accepted " + keys.stream().map(ApiKey::line).toList();
    }

    private static Path keyFile() {
        try {
            Path file = Files.createTempFile("graypipe-fuzz-keys", ".txt");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
