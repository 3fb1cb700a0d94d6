package io.graypipe.front.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A wiretap: a TCP relay on 127.0.0.1 that forwards every connection to {@code target} and records every byte
 * each way, as a capture of the link would show them. Point a front's {@code --worker} at {@link #address()}.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final ByteArrayOutputStream toTarget = new ByteArrayOutputStream();
    private final ByteArrayOutputStream fromTarget = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private TcpRelay(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    public static TcpRelay start(InetSocketAddress target) throws IOException {
        TcpRelay relay = new TcpRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
        Thread acceptor = new Thread(relay::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return relay;
    }

    /** Where clients connect: {@code 127.0.0.1:PORT}. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Every byte clients sent to the target so far, over all connections. */
    public byte[] sentToTarget() {
        synchronized (toTarget) {
            return toTarget.toByteArray();
        }
    }

    /** Every byte the target sent back so far. */
    public byte[] receivedFromTarget() {
        synchronized (fromTarget) {
            return fromTarget.toByteArray();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                pump(client, server, toTarget);
                pump(server, client, fromTarget);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (record) {
                        record.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException closed) {
                // One side went away; closing both ends tells the other.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Cuts every connection made so far, as a network blip would; new ones are still relayed. */
    public void dropConnections() {
        List<Socket> open = List.copyOf(sockets);
        sockets.removeAll(open);
        open.forEach(TcpRelay::closeQuietly);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(TcpRelay::closeQuietly);
    }
}
