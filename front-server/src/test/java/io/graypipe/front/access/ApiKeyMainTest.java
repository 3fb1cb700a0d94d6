package io.graypipe.front.access;

import io.graypipe.front.ApiKeyMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/apikey: the key on line 1, the key file's line on line 2, and the file finds the key by it alone. */
class ApiKeyMainTest {
    private static List<String> run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ApiKeyMain()).setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args));
        return out.toString().lines().toList();
    }

    @Test
    void theLineHoldsTheKeysHashAndLimitsAndTheFileFindsTheKey(@TempDir Path dir) throws Exception {
        List<String> first = run("alice", "--rate", "2.5", "--burst", "10", "--weight", "3");
        List<String> second = run("bob");
        String key = first.get(0);
        assertTrue(key.matches("gp_[0-9a-f]{64}"), key);
        assertNotEquals(key, second.get(0), "every key is new");
        assertFalse(first.get(1).contains(key.substring(3)), "the file never holds the key itself");
        assertTrue(first.get(1).matches("alice [0-9a-f]{64} rate=2.5 burst=10 weight=3"), first.get(1));
        assertEquals("bob", second.get(1).split(" ")[0]);

        Path file = dir.resolve("keys");
        Files.writeString(file, first.get(1) + "\n" + second.get(1) + "\n");
        ApiKeys keys = ApiKeys.open(file);
        ApiKey alice = keys.find(key).orElseThrow();
        assertEquals("alice", alice.name());
        assertEquals(2.5, alice.rate());
        assertEquals(10L, alice.burst());
        assertEquals(3, alice.weight());
        assertEquals("bob", keys.find(second.get(0)).orElseThrow().name());
        assertTrue(keys.find(key + "x").isEmpty());
    }

    @Test
    void aBadLineStopsTheStartWithItsNumber(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# ok\nalice " + "0".repeat(64) + " rate=1\nbob nothex\n");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> ApiKeys.open(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }
}
