package io.graypipe.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One load client's keep-alive HTTP/1.1 connection, on a blocking socket, driven by the client's own thread.
 *
 * <p>Why not {@code java.net.http}: the load client shares the machine's two cores with the server it measures,
 * so what it spends per request is taken from the server. The JDK client hands every request between the calling
 * thread, its selector thread and its executor (each a wake-up), and copies an upload from the heap into a
 * temporary direct buffer on its way to the socket. Here a request is built once, head and body, in one direct
 * buffer that every send writes from without a copy, and the answer is read on the calling thread into a reused
 * direct buffer; only a body the caller asks for is copied out.
 *
 * <p>Timeouts: a read on a blocking channel has no timeout of its own, so one watchdog thread closes a connection
 * whose request has passed its deadline, and the blocked call fails with {@link HttpTimeoutException}.
 */
final class BenchConnection implements Closeable {
    private static final int READ_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final Set<BenchConnection> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Thread watchdog = new Thread(BenchConnection::closeOverdue, "bench-connection-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * An answer: its status and, when asked for, its body ({@code null} otherwise); {@code bodyBytes} always; its
     * {@code Server-Timing} header, unparsed, or null.
     */
    record Response(int status, byte[] body, long bodyBytes, String serverTiming) {
    }

    private final InetSocketAddress address;
    private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final StringBuilder line = new StringBuilder();
    /** Written by the owning client thread; the watchdog only closes it. */
    private volatile SocketChannel channel;
    /** When the request in progress must have been answered ({@link System#nanoTime}), 0 when idle. */
    private volatile long deadlineNanos;
    private volatile boolean timedOut;

    BenchConnection(URI base) {
        this.address = new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort());
    }

    /**
     * A request, head and body, in one direct buffer, to send as often as needed (each send writes from a
     * duplicate, so one buffer may serve every client).
     *
     * @param headers extra header lines, {@code "Name: value"}
     */
    static ByteBuffer request(String method, URI target, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target.getRawPath());
        if (target.getRawQuery() != null) {
            head.append('?').append(target.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(target.getHost());
        if (target.getPort() >= 0) {
            head.append(':').append(target.getPort());
        }
        head.append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer request = ByteBuffer.allocateDirect(headBytes.length + (body == null ? 0 : body.length));
        request.put(headBytes);
        if (body != null) {
            request.put(body);
        }
        return request.flip().asReadOnlyBuffer();
    }

    /** Sends {@code request} (from {@link #request}) and reads the answer; opens the connection when needed. */
    Response send(ByteBuffer request, boolean keepBody, long timeoutNanos) throws IOException {
        timedOut = false;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        OPEN.add(this);
        try {
            if (channel == null) {
                channel = SocketChannel.open(address);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                in.clear().flip();
            }
            ByteBuffer out = request.duplicate();
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                // A server may answer before it has read the whole body (a 503 or 429) and close: read that answer.
                if (timedOut) {
                    throw e;
                }
                try {
                    return readResponse(keepBody);
                } catch (IOException ignored) {
                    throw e;
                }
            }
            return readResponse(keepBody);
        } catch (IOException e) {
            close();
            if (timedOut) {
                throw new HttpTimeoutException("no answer within the timeout");
            }
            throw e;
        } finally {
            deadlineNanos = 0;
            OPEN.remove(this);
        }
    }

    private Response readResponse(boolean keepBody) throws IOException {
        int status;
        long length;
        boolean chunked;
        boolean close;
        String serverTiming;
        do {
            String statusLine = readLine();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: " + clip(statusLine));
            }
            status = Integer.parseInt(statusLine.substring(9, 12));
            close = statusLine.startsWith("HTTP/1.0");
            length = -1;
            chunked = false;
            serverTiming = null;
            for (String header = readLine(); !header.isEmpty(); header = readLine()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "server-timing" -> serverTiming = value;
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close")
                            || close && !value.equalsIgnoreCase("keep-alive");
                    default -> { }
                }
            }
        } while (status / 100 == 1);
        Body body = new Body(keepBody);
        if (chunked) {
            for (long size = Long.parseLong(chunkSize(readLine()), 16); size > 0;
                 size = Long.parseLong(chunkSize(readLine()), 16)) {
                readBody(body, size);
                readLine();
            }
            while (!readLine().isEmpty()) {
                // trailer fields
            }
        } else if (length >= 0) {
            readBody(body, length);
        } else if (status != 204 && status != 304) {
            readBody(body, Long.MAX_VALUE); // no length: the body ends when the server closes
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, body.bytes(), body.count, serverTiming);
    }

    /** What a body's bytes go to: counted, and copied out only if the caller keeps them. */
    private static final class Body {
        private final java.io.ByteArrayOutputStream kept;
        private long count;

        Body(boolean keep) {
            kept = keep ? new java.io.ByteArrayOutputStream() : null;
        }

        void add(ByteBuffer from, int n) {
            count += n;
            if (kept != null) {
                byte[] bytes = new byte[n];
                from.get(bytes);
                kept.writeBytes(bytes);
            } else {
                from.position(from.position() + n);
            }
        }

        byte[] bytes() {
            return kept == null ? null : kept.toByteArray();
        }
    }

    private void readBody(Body body, long length) throws IOException {
        long left = length;
        while (left > 0) {
            if (!in.hasRemaining() && !fill()) {
                if (length == Long.MAX_VALUE) {
                    return;
                }
                throw new EOFException("the connection closed " + left + " bytes before the body's end");
            }
            int n = (int) Math.min(left, in.remaining());
            body.add(in, n);
            left -= n;
        }
    }

    /** One line of the head, without its CRLF. */
    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            if (!in.hasRemaining() && !fill()) {
                throw new EOFException("the connection closed in the middle of an answer's head");
            }
            char c = (char) (in.get() & 0xff);
            if (c == '\n') {
                int end = line.length();
                return line.substring(0, end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            if (line.length() >= MAX_HEAD_BYTES) {
                throw new IOException("an answer's head line is longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.append(c);
        }
    }

    /** Reads more into the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        in.clear();
        int n = channel.read(in);
        in.flip();
        return n > 0;
    }

    private static String chunkSize(String line) {
        int extension = line.indexOf(';');
        return (extension < 0 ? line : line.substring(0, extension)).trim();
    }

    private static String clip(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
            channel = null;
        }
    }

    /** The watchdog: every 100 ms, closes the connections whose request is overdue. */
    private static void closeOverdue() {
        while (true) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (BenchConnection connection : OPEN) {
                long deadline = connection.deadlineNanos;
                SocketChannel open = connection.channel;
                if (deadline != 0 && now - deadline > 0 && open != null) {
                    connection.timedOut = true;
                    try {
                        open.close();
                    } catch (ClosedChannelException ignored) {
                        // already closed
                    } catch (IOException ignored) {
                        // the blocked call fails either way
                    }
                }
            }
        }
    }
}
