package io.graypipe.front.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte: tests need to send what no well-behaved client library would
 * (conflicting lengths, bad chunks, bodies that never end, one byte at a time).
 */
final class RawHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parsed response; {@code millis} is from the start of the exchange to the end of the body. */
    record Response(int status, Map<String, String> headers, byte[] body, long millis) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
            }
        }

        /** The {@code error.code} of an error body. */
        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            String text = headers.getOrDefault("content-type", "").startsWith("application/json")
                    ? new String(body, StandardCharsets.UTF_8) : body.length + " bytes";
            return status + " " + text;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long started = System.nanoTime();

    RawHttp(InetSocketAddress address) {
        this(address, null);
    }

    /** @param from the local address to connect from (any of 127.0.0.0/8 on loopback), or null for any */
    RawHttp(InetSocketAddress address, java.net.InetAddress from) {
        try {
            socket = new Socket();
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(address, 20_000);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} on a new connection and reads one response. */
    static Response exchange(InetSocketAddress address, byte[] request) {
        try (RawHttp http = new RawHttp(address)) {
            http.write(request);
            return http.readResponse();
        }
    }

    static Response get(InetSocketAddress address, String path) {
        return exchange(address, ascii("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
    }

    /** A complete POST with a Content-Length. */
    static byte[] post(String path, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: test\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        return concat(ascii(head.toString()), body);
    }

    /** One multipart/form-data part; {@code filename} null makes it a text field. */
    static byte[] part(String boundary, String name, String filename, byte[] content) {
        String disposition = "Content-Disposition: form-data; name=\"" + name + "\""
                + (filename != null ? "; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream" : "");
        return concat(ascii("--" + boundary + "\r\n" + disposition + "\r\n\r\n"), content, ascii("\r\n"));
    }

    static byte[] closing(String boundary) {
        return ascii("--" + boundary + "--\r\n");
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... pieces) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            all.writeBytes(piece);
        }
        return all.toByteArray();
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes without failing when the server has already answered and closed; says whether all went out. */
    boolean tryWrite(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the next final (non-1xx) response. */
    Response readResponse() {
        try {
            while (true) {
                String statusLine = readLine();
                if (statusLine == null) {
                    throw new AssertionError("the server closed the connection without a response");
                }
                int status = Integer.parseInt(statusLine.split(" ")[1]);
                Map<String, String> headers = new LinkedHashMap<>();
                for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
                    int colon = line.indexOf(':');
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
                if (status < 200) {
                    continue;
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                return new Response(status, headers, body, (System.nanoTime() - started) / 1_000_000);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server closes the connection within the socket timeout, reading and dropping what it sends. */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    void setReadTimeoutMillis(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
