package io.graypipe.protocol.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineSyntaxTest {
    private final DurationConverter durations = new DurationConverter();

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndPlainSeconds() {
        assertEquals(Duration.ofMillis(500), durations.convert("500ms"));
        assertEquals(Duration.ofSeconds(30), durations.convert("30s"));
        assertEquals(Duration.ofMinutes(2), durations.convert("2m"));
        assertEquals(Duration.ofSeconds(30), durations.convert(" 30 "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1h", "-5s", "1.5s", "0", "0ms", "1234567890"})
    void badDurationsSayWhatToWrite(String value) {
        var error = assertThrows(CommandLine.TypeConversionException.class, () -> durations.convert(value));
        assertTrue(error.getMessage().contains("'" + value + "'"), error.getMessage());
    }

    @Test
    void hostPortKeepsTheHostUnresolvedAndStripsIpv6Brackets() {
        InetSocketAddress v4 = new HostPortConverter().convert("127.0.0.1:9090");
        assertTrue(v4.isUnresolved());
        assertEquals("127.0.0.1", v4.getHostString());
        assertEquals(9090, v4.getPort());
        assertEquals("::1", new HostPortConverter().convert("[::1]:7").getHostString());
        assertEquals("fe80::1", new HostPortConverter().convert("fe80::1:7").getHostString());
        assertEquals("worker-a", new HostPortConverter().convert("worker-a:9090").getHostString());
    }

    @Test
    void onlyAListenAddressMayUsePortZero() {
        assertEquals(0, new HostPortConverter.Listen().convert("0.0.0.0:0").getPort());
        var error = assertThrows(CommandLine.TypeConversionException.class,
                () -> new HostPortConverter().convert("127.0.0.1:0"));
        assertTrue(error.getMessage().contains("1..65535"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9090", ":9090", "host:", "host:port", "host:65536", "host:-1"})
    void badAddressesAreRefused(String value) {
        assertThrows(CommandLine.TypeConversionException.class, () -> new HostPortConverter.Listen().convert(value));
    }
}
