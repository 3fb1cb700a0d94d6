package io.graypipe.front.testing;

import io.graypipe.protocol.Auth;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The worker link's handshake (PROTOCOL.md) played by hand over any connection to a worker, plain TCP or TLS with
 * a certificate from the link's CA, to check what the worker refuses: a proof made with another secret, and a
 * genuine handshake recorded on one connection and replayed on another.
 */
public final class WorkerHandshakes {
    /** Opens a new connection to the worker under test, with a read timeout. */
    public interface Connector {
        Socket connect() throws IOException;
    }

    private WorkerHandshakes() {
    }

    /** HELLO, then a proof made with another secret: the worker answers UNAUTHORIZED and closes. */
    public static void assertWrongSecretRefused(Connector worker) throws IOException {
        try (Socket socket = worker.connect()) {
            Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
            Hello theirs = sendHello(socket, ours);
            FrameStreams.write(socket.getOutputStream(), Handshake.proof(
                    "wrong-secret".getBytes(StandardCharsets.UTF_8), Hello.Role.FRONT, ours, theirs));
            assertRefused(socket);
        }
    }

    /**
     * A genuine handshake with {@code token} succeeds on one connection; its bytes replayed on a new connection get
     * a fresh HELLO (a new nonce), then UNAUTHORIZED and the connection closed.
     */
    public static void assertReplayRefused(Connector worker, byte[] token) throws IOException {
        byte[] recorded;
        try (Socket socket = worker.connect()) {
            Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
            Hello theirs = sendHello(socket, ours);
            Auth proof = Handshake.proof(token, Hello.Role.FRONT, ours, theirs);
            FrameStreams.write(socket.getOutputStream(), proof);
            assertInstanceOf(Auth.class, read(socket), "the genuine handshake succeeds");
            byte[] hello = frame(ours);
            byte[] auth = frame(proof);
            recorded = Arrays.copyOf(hello, hello.length + auth.length);
            System.arraycopy(auth, 0, recorded, hello.length, auth.length);
        }
        try (Socket replay = worker.connect()) {
            replay.getOutputStream().write(recorded);
            replay.getOutputStream().flush();
            assertInstanceOf(Hello.class, read(replay), "the worker answers the replayed HELLO with a fresh one");
            assertRefused(replay);
        }
    }

    /** Sends our HELLO and returns the worker's. */
    public static Hello sendHello(Socket socket, Hello ours) throws IOException {
        FrameStreams.write(socket.getOutputStream(), ours);
        return assertInstanceOf(Hello.class, read(socket));
    }

    /** The next frame from the worker, or null at the end of the stream. */
    public static Message read(Socket socket) throws IOException {
        return FrameStreams.read(socket.getInputStream(), MessageCodec.DEFAULT_MAX_FRAME_BYTES);
    }

    /** The worker answers UNAUTHORIZED, then closes the connection. */
    public static void assertRefused(Socket socket) throws IOException {
        Message answer = read(socket);
        ErrorMessage error = assertInstanceOf(ErrorMessage.class, answer, () -> "got " + answer);
        assertEquals(ErrorCode.UNAUTHORIZED, error.code());
        assertNull(read(socket), "the connection must be closed after the error");
    }

    /** {@code message} as the bytes of one frame on the wire. */
    public static byte[] frame(Message message) {
        ByteBuf buf = Unpooled.buffer();
        MessageCodec.encode(message, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }
}
