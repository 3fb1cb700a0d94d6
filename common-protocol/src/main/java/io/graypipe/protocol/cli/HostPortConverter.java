package io.graypipe.protocol.cli;

import picocli.CommandLine;

import java.net.InetSocketAddress;

/**
 * {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code IPv6:PORT} (the last colon separates the port), as an
 * unresolved address: resolving a host name is left to a thread that may block, never the command line's. An
 * address to connect to needs a port of 1..65535; {@link Listen}, an address to bind, also takes 0 for any free
 * port.
 */
public class HostPortConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
    private final int lowestPort;
    private final String example;

    public HostPortConverter() {
        this(1, "127.0.0.1:9090");
    }

    private HostPortConverter(int lowestPort, String example) {
        this.lowestPort = lowestPort;
        this.example = example;
    }

    /** An address to listen on: port 0 binds any free port. */
    public static final class Listen extends HostPortConverter {
        public Listen() {
            super(0, "0.0.0.0:9090");
        }
    }

    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT, such as " + example);
        }
        String host = value.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < lowestPort || port > 65535) {
            throw new CommandLine.TypeConversionException(
                    "the port in '" + value + "' must be " + lowestPort + "..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
