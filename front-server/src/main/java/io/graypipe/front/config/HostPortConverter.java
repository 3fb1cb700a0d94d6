package io.graypipe.front.config;

import picocli.CommandLine;

import java.net.InetSocketAddress;

/**
 * {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code IPv6:PORT} (the last colon separates the port), as an
 * unresolved address: resolving a host name is left to a thread that may block, never the command line's.
 */
public final class HostPortConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT, such as 127.0.0.1:9090");
        }
        String host = value.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new CommandLine.TypeConversionException("the port in '" + value + "' must be 1..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
