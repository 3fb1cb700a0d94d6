package io.graypipe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay that can turn into a bad cable, for the cluster soak: the test machine's kernel has no {@code netem},
 * so a front reaches one worker through this relay instead of directly. While {@link #degrade(boolean) degraded},
 * every chunk it forwards waits 20 to 200 ms, one chunk in 40 stalls the connection for 2 to 4 s, and one in 150
 * resets it (an RST on both sides, as a dying middlebox would). Healthy, it forwards at once.
 */
final class LossyLink implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Random random;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean degraded;

    private LossyLink(ServerSocket listener, InetSocketAddress target, long seed) {
        this.listener = listener;
        this.target = target;
        this.random = new Random(seed);
    }

    /** A relay listening on {@code bindAddress} (a free port) to {@code target}. */
    static LossyLink start(String bindAddress, InetSocketAddress target, long seed) throws IOException {
        LossyLink link = new LossyLink(new ServerSocket(0, 50, InetAddress.getByName(bindAddress)), target, seed);
        Thread acceptor = new Thread(link::accept, "lossy-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return link;
    }

    /** {@code HOST:PORT} where clients connect. */
    String address() {
        return listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    void degrade(boolean on) {
        degraded = on;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                try {
                    server.connect(target, 3000);
                } catch (IOException unreachable) {
                    close(client);
                    continue;
                }
                sockets.add(client);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (degraded && misbehave(from, to)) {
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException gone) {
                // One side went away (or was reset here); closing both ends tells the other.
            } finally {
                close(from);
                close(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "lossy-link-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Delays, stalls or resets this chunk's connection; true when it was reset. */
    private boolean misbehave(Socket from, Socket to) throws InterruptedException, IOException {
        int roll;
        int delayMillis;
        synchronized (random) {
            roll = random.nextInt(150);
            delayMillis = roll < 4 ? 2000 + random.nextInt(2000) : 20 + random.nextInt(180);
        }
        if (roll == 149) {
            reset(from);
            reset(to);
            return true;
        }
        Thread.sleep(delayMillis); // the point of this relay: the cable really is this slow
        return false;
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
        socket.close();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(LossyLink::close);
    }
}
