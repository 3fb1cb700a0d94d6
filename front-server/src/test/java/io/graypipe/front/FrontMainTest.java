package io.graypipe.front;

import io.graypipe.front.config.FrontConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The front's command line as picocli parses it into one {@link FrontConfig}. */
class FrontMainTest {

    @Test
    void defaults() {
        FrontConfig config = FrontMain.parse();
        assertEquals(10_000, config.listen().maxConnections());
        assertEquals(Duration.ofSeconds(30), config.timeouts().request());
        assertEquals(Duration.ofMinutes(10), config.timeouts().resultTtl());
        assertEquals(FrontConfig.WorkerMode.PROCESSES, config.worker().mode());
        assertTrue(config.worker().addresses().isEmpty());
        assertTrue(config.worker().local(), "without --worker the front starts its own");
        assertNull(config.worker().tls());
    }

    @Test
    void durationsTakeOneSyntaxWithPlainSeconds() {
        assertEquals(Duration.ofMillis(500), FrontMain.parse("--read-timeout", "500ms").timeouts().read());
        assertEquals(Duration.ofSeconds(30), FrontMain.parse("--read-timeout", "30s").timeouts().read());
        assertEquals(Duration.ofMinutes(2), FrontMain.parse("--read-timeout", "2m").timeouts().read());
        assertEquals(Duration.ofSeconds(45), FrontMain.parse("--read-timeout", "45").timeouts().read());
        for (String bad : new String[] {"PT30S", "0", "-5", "1h", "1.5s", ""}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> FrontMain.parse("--read-timeout", bad), bad);
            assertTrue(e.getMessage().contains("--read-timeout"), e.getMessage());
        }
    }

    @Test
    void workerAddressIsHostPortAndStaysUnresolved() {
        InetSocketAddress named = FrontMain.parse("--worker", "worker.example:9090").worker().addresses().get(0);
        assertTrue(named.isUnresolved(), "resolved later, off the event loop");
        assertEquals("worker.example", named.getHostString());
        assertEquals(9090, named.getPort());
        InetSocketAddress v6 = FrontMain.parse("--worker", "[::1]:9091").worker().addresses().get(0);
        assertEquals("::1", v6.getHostString());
        assertEquals(9091, v6.getPort());
        for (String bad : new String[] {"worker", "worker:", ":9090", "worker:http", "worker:70000"}) {
            assertThrows(CommandLine.ParameterException.class, () -> FrontMain.parse("--worker", bad), bad);
        }
    }

    @Test
    void workerRepeatsAndThenNoLocalWorkerStartsUnlessAsked() {
        FrontConfig.Worker two = FrontMain.parse("--worker", "a:9090", "--worker", "b:9091").worker();
        assertEquals(List.of("a:9090", "b:9091"), two.addresses().stream()
                .map(address -> address.getHostString() + ":" + address.getPort()).toList());
        assertFalse(two.local());
        assertTrue(FrontMain.parse("--worker", "a:9090", "--local-worker").worker().local());
    }

    @Test
    void tlsTakesAllThreeFilesAndNeedsAWorkerToSecure(@TempDir Path dir) throws IOException {
        Path pem = Files.writeString(dir.resolve("any.pem"), "read at start-up by the TLS context, not here");
        String file = pem.toString();
        FrontConfig.Worker secured = FrontMain.parse("--worker", "a:9090", "--tls-cert", file, "--tls-key", file,
                "--tls-ca", file).worker();
        assertEquals(pem, secured.tls().certificate());
        CommandLine.ParameterException partial = assertThrows(CommandLine.ParameterException.class,
                () -> FrontMain.parse("--worker", "a:9090", "--tls-cert", file));
        assertTrue(partial.getMessage().contains("go together"), partial.getMessage());
        assertThrows(CommandLine.ParameterException.class,
                () -> FrontMain.parse("--tls-cert", file, "--tls-key", file, "--tls-ca", file));
        assertThrows(CommandLine.ParameterException.class, () -> FrontMain.parse("--worker", "a:9090",
                "--tls-cert", dir.resolve("missing.pem").toString(), "--tls-key", file, "--tls-ca", file));
    }

    @Test
    void workerModeIsAnEnumInAnyCase() {
        assertEquals(FrontConfig.WorkerMode.THREADS, FrontMain.parse("--worker-mode", "threads").worker().mode());
        assertEquals(FrontConfig.WorkerMode.THREADS, FrontMain.parse("--worker-mode", "THREADS").worker().mode());
        assertThrows(CommandLine.ParameterException.class, () -> FrontMain.parse("--worker-mode", "fibers"));
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(CommandLine.ParameterException.class, () -> FrontMain.parse("--max-connections", "0"));
        assertThrows(CommandLine.ParameterException.class, () -> FrontMain.parse("--port", "70000"));
    }
}
