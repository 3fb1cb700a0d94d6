package io.graypipe.protocol.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flags both tiers share, mixed into a command as {@code FrontMain} and {@code WorkerMain} mix them in. */
class SharedFlagsTest {
    @Command(name = "tier")
    static final class Tier {
        @Mixin
        LinkTlsOptions tls;
        @Mixin
        SharedMemoryOption sharedMemory;
        @Mixin
        TokenFileOption token;
    }

    private static Tier parse(String... args) {
        Tier tier = new Tier();
        new CommandLine(tier).parseArgs(args);
        return tier;
    }

    @Test
    void defaultsArePlainTcpDevShmAndTheTokenInTheTempDirectory() {
        Tier tier = parse();
        assertNull(tier.tls.linkTls());
        assertEquals(Path.of("/dev/shm"), tier.sharedMemory.directory());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "graypipe-worker.token"), tier.token.file());
    }

    @Test
    void sharedMemoryOffIsNoDirectoryAndTheTokenFileHasBothTiersNames() {
        assertNull(parse("--shared-memory", "OFF").sharedMemory.directory());
        assertEquals(Path.of("/a"), parse("--token-file", "/a").token.file());
        assertEquals(Path.of("/b"), parse("--worker-token-file", "/b").token.file());
    }

    @Test
    void tlsFlagsByHalvesAreAUsageErrorNamingAllThree() {
        Tier tier = parse("--tls-cert", "/nonexistent.pem");
        var error = assertThrows(CommandLine.ParameterException.class, tier.tls::linkTls);
        assertTrue(error.getMessage().contains("--tls-cert, --tls-key and --tls-ca go together"), error.getMessage());
    }
}
