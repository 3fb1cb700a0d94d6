package io.graypipe.worker;

import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * One forked child JVM. Its stdout is read on a dedicated thread, which hands every answer to the pool; its stdin
 * is written on another, so a large frame never blocks the thread that dispatched it.
 */
final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

    interface Listener {
        void ready(ChildProcess child);

        void answered(ChildProcess child, Message answer);

        void exited(ChildProcess child);
    }

    final int slot;
    final long generation;
    private final Process process;
    private final OutputStream stdin;
    private final ExecutorService writer;
    /** The one request this child is working on, guarded by the pool's lock. */
    PendingScale current;
    volatile boolean ready;

    private ChildProcess(int slot, long generation, Process process) {
        this.slot = slot;
        this.generation = generation;
        this.process = process;
        this.stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "child-" + slot + "-stdin"));
    }

    static ChildProcess start(int slot, long generation, List<String> command, int maxFrameBytes, Listener listener)
            throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        ChildProcess child = new ChildProcess(slot, generation, process);
        daemon(() -> child.readLoop(maxFrameBytes, listener), "child-" + slot + "-stdout").start();
        return child;
    }

    long pid() {
        return process.pid();
    }

    /** Queues {@code request} for the child's stdin; a failed write shows up as the child's exit. */
    void send(ScaleRequest request) {
        try {
            writer.execute(() -> {
                try {
                    FrameStreams.write(stdin, request);
                } catch (IOException e) {
                    log.warn("child {} (pid {}): write failed, killing it: {}", slot, pid(), e.getMessage());
                    process.destroyForcibly();
                }
            });
        } catch (RejectedExecutionException e) {
            // The child is exiting; its exit hands the request back to the pool for a retry.
            process.destroyForcibly();
        }
    }

    void kill() {
        process.destroyForcibly();
        writer.shutdownNow();
    }

    /** Closes stdin so the child finishes and exits on its own. */
    void closeInput() {
        writer.execute(() -> {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // The child is already gone; its exit is reported by the read loop.
            }
        });
        writer.shutdown();
    }

    /** Waits for the child to exit after {@link #closeInput()}, killing it if it takes longer than {@code grace}. */
    void awaitExitOrKill(java.time.Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads up to and including the child's HELLO frame. The JVM may print to stdout before the child's main
     * runs (JFR and -Xlog start-up lines, warnings), so bytes before the HELLO are logged and skipped rather than
     * taken for a frame. Returns false if stdout ends first.
     */
    private boolean skipToHello(InputStream stdout) throws IOException {
        byte[] hello = helloFrame();
        byte[] window = new byte[hello.length];
        int seen = 0;
        StringBuilder noise = new StringBuilder();
        int next;
        while ((next = stdout.read()) >= 0) {
            if (seen == window.length) {
                if (noise.length() < 4096) {
                    noise.append((char) (window[0] & 0xff));
                }
                System.arraycopy(window, 1, window, 0, window.length - 1);
                seen--;
            }
            window[seen++] = (byte) next;
            if (seen == window.length && java.util.Arrays.equals(window, hello)) {
                if (noise.length() > 0) {
                    log.info("child {} (pid {}) printed before its HELLO: {}", slot, pid(), noise.toString().strip());
                }
                return true;
            }
        }
        return false;
    }

    private static byte[] helloFrame() {
        io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.buffer();
        io.graypipe.protocol.MessageCodec.encode(Hello.child(), frame);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        return bytes;
    }

    private void readLoop(int maxFrameBytes, Listener listener) {
        try (InputStream stdout = new BufferedInputStream(process.getInputStream(), 1 << 16)) {
            if (!skipToHello(stdout)) {
                throw new java.io.EOFException("child exited before its HELLO");
            }
            ready = true;
            listener.ready(this);
            Message message;
            while ((message = FrameStreams.read(stdout, maxFrameBytes)) != null) {
                if (message instanceof Hello) {
                    log.warn("child {} (pid {}) sent a second HELLO; ignored", slot, pid());
                } else if (message instanceof ErrorMessage error && error.requestId() == ErrorMessage.CONNECTION) {
                    log.error("child {} (pid {}) reports a protocol error: {}", slot, pid(), error.message());
                    process.destroyForcibly();
                } else {
                    listener.answered(this, message);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("child {} (pid {}): stdout unreadable, killing it: {}", slot, pid(), e.toString());
            process.destroyForcibly();
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Not ready any more before the pool hears of the exit, so it never dispatches to a dead child.
        ready = false;
        writer.shutdownNow();
        listener.exited(this);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
