package io.graypipe.front.durability;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.WorkerHandshakes;
import io.graypipe.front.testing.WorkerProcess;
import io.graypipe.protocol.Auth;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.StatusRequest;
import io.graypipe.protocol.WorkerStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.graypipe.front.testing.WorkerHandshakes.assertRefused;
import static io.graypipe.front.testing.WorkerHandshakes.frame;
import static io.graypipe.front.testing.WorkerHandshakes.read;
import static io.graypipe.front.testing.WorkerHandshakes.sendHello;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standalone worker answers only a front that proves it holds the secret (PROTOCOL.md's HMAC handshake), a
 * recorded handshake is worthless, and no bytes from anyone else can bring the worker down.
 */
class WorkerSecurityTest {
    private static final byte[] TOKEN = "worker-security-test-token".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_CONNECTIONS = 8;

    @TempDir
    static Path dir;
    private static WorkerProcess worker;

    @BeforeAll
    static void startWorker() throws IOException {
        Path tokenFile = Files.write(dir.resolve("token"), TOKEN);
        worker = WorkerProcess.start(0, tokenFile, "-n", "1", "--max-connections", Integer.toString(MAX_CONNECTIONS));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
    }

    @Test
    @Timeout(30)
    void aClientWithoutTheSecretGetsOnlyAnErrorAndIsClosed() throws IOException {
        try (Socket socket = connect()) {
            FrameStreams.write(socket.getOutputStream(), request(1, gray(4, 4)));
            assertRefused(socket);
        }
        WorkerHandshakes.assertWrongSecretRefused(WorkerSecurityTest::connect);
        try (Socket socket = connect()) {
            sendHello(socket, Hello.current(Hello.Role.FRONT, 0, ""));
            FrameStreams.write(socket.getOutputStream(), request(2, gray(4, 4)));
            assertRefused(socket);
        }
        try (Socket socket = connect()) {
            FrameStreams.write(socket.getOutputStream(), Hello.current(Hello.Role.WORKER, 0, ""));
            assertRefused(socket);
        }
        assertServes();
    }

    @Test
    @Timeout(30)
    void aRecordedHandshakeReplayedOnANewConnectionIsRefused() throws IOException {
        WorkerHandshakes.assertReplayRefused(WorkerSecurityTest::connect, TOKEN);
        assertServes();
    }

    @Test
    @Timeout(30)
    void theWorkerProvesItHoldsTheSecretToo() throws IOException {
        try (Socket socket = connect()) {
            Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
            Hello theirs = sendHello(socket, ours);
            FrameStreams.write(socket.getOutputStream(), Handshake.proof(TOKEN, Hello.Role.FRONT, ours, theirs));
            Auth workerProof = assertInstanceOf(Auth.class, read(socket));
            assertTrue(Handshake.verify(TOKEN, Hello.Role.WORKER, ours, theirs, workerProof));
            assertFalse(Handshake.verify("another-secret".getBytes(StandardCharsets.UTF_8), Hello.Role.WORKER,
                    ours, theirs, workerProof));
        }
    }

    @Test
    @Timeout(60)
    void randomAndMutatedFramesNeverBringTheWorkerDown() throws IOException {
        Random random = new Random(42);
        byte[] hello = frame(Hello.current(Hello.Role.FRONT, 0, ""));
        List<byte[]> seeds = List.of(hello, frame(new Auth(new byte[Auth.MAC_BYTES])), frame(request(7, gray(8, 6))),
                frame(new Ping(1)), frame(new StatusRequest(1)),
                frame(new ErrorMessage(3, ErrorCode.INTERNAL, "x")));
        for (int i = 0; i < 120; i++) {
            byte[] garbage = i % 3 == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            boolean authenticated = i % 2 == 0;
            try (Socket socket = connect()) {
                OutputStream out = socket.getOutputStream();
                if (authenticated) {
                    handshake(socket);
                }
                out.write(garbage);
                out.flush();
                socket.shutdownOutput();
                drain(socket.getInputStream());
            } catch (SocketException reset) {
                // The worker may close before reading everything; that is the point.
            }
            if (i % 20 == 19) {
                assertServes();
            }
        }
        assertTrue(worker.process().isAlive(), worker.output());
        assertServes();
    }

    @Test
    @Timeout(30)
    void connectionsPastTheCapAreClosedAndTheWorkerServesOnceTheyGo() throws IOException {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                flood.add(connect());
            }
            try (Socket extra = connect()) {
                assertEquals(-1, extra.getInputStream().read(), "a connection past the cap must be closed at once");
            }
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        Await.until(Duration.ofSeconds(10), "the worker to take a connection again", WorkerSecurityTest::handshakes);
        assertServes();
    }

    /** An authenticated client scales an image and reads the pool status. */
    private static void assertServes() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            handshake(socket);
            FrameStreams.write(out, request(99, gray(40, 30)));
            Message answer = FrameStreams.read(in, MessageCodec.DEFAULT_MAX_FRAME_BYTES);
            ScaleResult result = assertInstanceOf(ScaleResult.class, answer, () -> "got " + answer);
            assertEquals(99, result.requestId());
            assertEquals(20, result.width());
            FrameStreams.write(out, new StatusRequest(1));
            WorkerStatus status = assertInstanceOf(WorkerStatus.class,
                    FrameStreams.read(in, MessageCodec.DEFAULT_MAX_FRAME_BYTES));
            assertEquals(1, status.configured());
        }
    }

    private static ScaleRequest request(long id, ImageData image) {
        return ScaleRequest.scale(id, image.width() / 2, image.height() / 2, OutputFormat.PNG, 85, 10_000, image);
    }


    /** The whole handshake with the right secret, checking the worker's proof. */
    private static void handshake(Socket socket) throws IOException {
        Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
        Hello theirs = sendHello(socket, ours);
        FrameStreams.write(socket.getOutputStream(), Handshake.proof(TOKEN, Hello.Role.FRONT, ours, theirs));
        Auth proof = assertInstanceOf(Auth.class, read(socket));
        assertTrue(Handshake.verify(TOKEN, Hello.Role.WORKER, ours, theirs, proof), "the worker's proof");
    }




    private static Socket connect() throws IOException {
        Socket socket = new Socket(worker.address().getAddress(), worker.address().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Whether a handshake succeeds now; the flood's sockets close on the worker side a moment after ours. */
    private static boolean handshakes() {
        try (Socket socket = connect()) {
            FrameStreams.write(socket.getOutputStream(), Hello.current(Hello.Role.FRONT, 0, ""));
            return read(socket) instanceof Hello;
        } catch (IOException e) {
            return false;
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
            continue;
        }
    }

    private static ImageData gray(int width, int height) {
        byte[] pixels = new byte[width * height];
        Arrays.fill(pixels, (byte) 128);
        return new ImageData(PixelFormat.GRAY8, width, height, pixels);
    }


    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[1 + random.nextInt(300)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Flips bytes, truncates, or rewrites the length or type of a valid frame. */
    private static byte[] mutate(byte[] frame, Random random) {
        byte[] copy = frame.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> copy = Arrays.copyOf(copy, random.nextInt(copy.length));
            case 2 -> {
                int length = random.nextBoolean() ? random.nextInt() : random.nextInt(64);
                copy[0] = (byte) (length >>> 24);
                copy[1] = (byte) (length >>> 16);
                copy[2] = (byte) (length >>> 8);
                copy[3] = (byte) length;
            }
            default -> copy[4] = (byte) random.nextInt(256);
        }
        return copy;
    }
}
