package io.graypipe.front.config;

import picocli.CommandLine;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The shared task store of {@code --store redis://[user:password@]host:port[/db]}.
 *
 * @param uri as given, credentials included; handed to the Redis client only
 */
public record StoreAddress(String uri, String host, int port, int database) {

    /** Where the store is, for log lines and error messages: never the credentials. */
    public String location() {
        return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return location();
    }

    /** Reads {@code --store}, refusing anything the Redis client would misread later. */
    public static final class Converter implements CommandLine.ITypeConverter<StoreAddress> {
        @Override
        public StoreAddress convert(String value) {
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw invalid(value, e.getReason());
            }
            if (!"redis".equalsIgnoreCase(uri.getScheme()) && !"rediss".equalsIgnoreCase(uri.getScheme())) {
                throw invalid(value, "the scheme must be redis:// (or rediss:// for TLS)");
            }
            if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
                throw invalid(value, "it needs a host and a port 1..65535");
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            int database;
            try {
                database = path.isEmpty() ? 0 : Integer.parseInt(path);
            } catch (NumberFormatException e) {
                database = -1;
            }
            if (database < 0 || database > 15) {
                throw invalid(value, "the database after the port must be a number 0..15");
            }
            return new StoreAddress(value, uri.getHost().replaceAll("^\\[|]$", ""), uri.getPort(), database);
        }

        private static CommandLine.TypeConversionException invalid(String value, String why) {
            String shown = value.replaceFirst("//[^@/]*@", "//***@");
            return new CommandLine.TypeConversionException("'" + shown + "' is not redis://[user:password@]host:port[/db]: "
                    + why);
        }
    }
}
