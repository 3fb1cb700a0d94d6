package io.graypipe.worker;

import picocli.CommandLine;

import java.net.InetSocketAddress;

/**
 * {@code --listen HOST:PORT}, {@code [IPv6]:PORT}; the last colon separates the port, 0 meaning any free one. The
 * host is kept unresolved: Netty binds it.
 */
final class ListenAddressConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT, such as 0.0.0.0:9090");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.TypeConversionException("the port in '" + value + "' must be 0..65535");
        }
        return InetSocketAddress.createUnresolved(value.substring(0, colon).replaceAll("^\\[|]$", ""), port);
    }
}
