package io.graypipe.front.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many client connections driven by one thread: non-blocking {@link SocketChannel}s in a {@link Selector}, so a
 * flood of thousands needs no thread per connection. The test calls {@link #pump} in its await loop; each call
 * finishes pending connects, writes what is queued and records what arrives and when the server closes.
 * Not thread-safe: one thread owns a flood.
 */
final class NioFlood implements AutoCloseable {
    /** Connects in progress at a time, below the server's accept backlog, so no SYN is dropped and retried. */
    private static final int MAX_PENDING_CONNECTS = 256;

    /** One client connection. */
    static final class Connection {
        private final SocketChannel channel;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private long connectedNanos;
        private long closedNanos;
        private boolean closed;

        private Connection(SocketChannel channel) {
            this.channel = channel;
        }

        boolean connected() {
            return connectedNanos != 0;
        }

        /** Whether the server closed (or reset) the connection. */
        boolean closedByServer() {
            return closed;
        }

        /** How long after the connect completed the server closed it. */
        long millisToClose() {
            return (closedNanos - connectedNanos) / 1_000_000;
        }

        String received() {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private final InetSocketAddress address;
    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private int toOpen;
    private int connecting;
    private byte[] firstBytes = new byte[0];

    NioFlood(InetSocketAddress address) {
        this.address = address;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens {@code count} more connections as {@link #pump} goes on; each sends {@code request} once connected. */
    void open(int count, byte[] request) {
        toOpen += count;
        firstBytes = request;
    }

    /** Queues {@code bytes} on every connection still open. */
    void sendToAll(byte[] bytes) {
        for (Connection c : connections) {
            if (c.connected() && !c.closed) {
                queue(c, bytes);
            }
        }
    }

    /** Makes progress for up to about {@code millis} ms of waiting for I/O. */
    void pump(long millis) {
        try {
            while (toOpen > 0 && connecting < MAX_PENDING_CONNECTS) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                Connection c = new Connection(channel);
                connections.add(c);
                toOpen--;
                connecting++;
                if (channel.connect(address)) {
                    connected(c);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, c);
                }
            }
            selector.select(millis);
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isConnectable()) {
                    try {
                        c.channel.finishConnect();
                        connected(c);
                    } catch (IOException refused) {
                        connecting--;
                        serverClosed(c);
                        continue;
                    }
                }
                if (key.isValid() && key.isWritable()) {
                    write(c);
                }
                if (key.isValid() && key.isReadable()) {
                    read(c);
                }
            }
            selector.selectedKeys().clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Connection> connections() {
        return connections;
    }

    /** Whether every requested connection has been attempted and has completed its connect or failed. */
    boolean allConnected() {
        return toOpen == 0 && connecting == 0;
    }

    long closedByServer() {
        return connections.stream().filter(c -> c.closed).count();
    }

    long open() {
        return connections.stream().filter(c -> c.connected() && !c.closed).count();
    }

    private void connected(Connection c) throws IOException {
        connecting--;
        c.connectedNanos = System.nanoTime();
        c.channel.register(selector, SelectionKey.OP_READ, c);
        if (firstBytes.length > 0) {
            queue(c, firstBytes);
        }
    }

    private void queue(Connection c, byte[] bytes) {
        ByteBuffer joined = ByteBuffer.allocate(c.pending.remaining() + bytes.length);
        joined.put(c.pending).put(bytes).flip();
        c.pending = joined;
        write(c);
    }

    private void write(Connection c) {
        try {
            c.channel.write(c.pending);
            SelectionKey key = c.channel.keyFor(selector);
            if (key != null && key.isValid()) {
                key.interestOps(c.pending.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        } catch (IOException reset) {
            serverClosed(c);
        }
    }

    private void read(Connection c) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        try {
            int n;
            while ((n = c.channel.read(buffer)) > 0) {
                c.received.write(buffer.array(), 0, n);
                buffer.clear();
            }
            if (n < 0) {
                serverClosed(c);
            }
        } catch (IOException reset) {
            serverClosed(c);
        }
    }

    private void serverClosed(Connection c) {
        if (!c.closed) {
            c.closed = true;
            c.closedNanos = System.nanoTime();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
