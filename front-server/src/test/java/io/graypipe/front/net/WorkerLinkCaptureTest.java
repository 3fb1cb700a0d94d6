package io.graypipe.front.net;

import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TcpRelay;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import io.graypipe.protocol.Auth;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Without TLS, a capture of the front–worker link (a relay that records every byte both ways) holds a complete
 * handshake and a scaled image, and not the shared secret: the HMAC proofs replace it. Wrong keys and replays are
 * WorkerSecurityTest's.
 */
class WorkerLinkCaptureTest {
    private static final String TOKEN = "capture-test-secret-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aCaptureOfThePlainLinkHasTheHandshakeButNotTheSecret() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        try (WorkerProcess worker = WorkerProcess.start(0, token, "-n", "1", "--mode", "threads");
             TcpRelay wire = TcpRelay.start(worker.address())) {
            try (FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data"))
                    .args("--worker", wire.address(), "--worker-token-file", token.toString()).start()) {
                assertEquals(200, front.post("/process?scale=0.5", TestImages.png(64, 48)).statusCode(),
                        front::output);
            }
            byte[] sent = wire.sentToTarget();
            byte[] received = wire.receivedFromTarget();
            InputStream fromFront = new ByteArrayInputStream(sent);
            assertInstanceOf(Hello.class, FrameStreams.read(fromFront, MessageCodec.DEFAULT_MAX_FRAME_BYTES));
            assertInstanceOf(Auth.class, FrameStreams.read(fromFront, MessageCodec.DEFAULT_MAX_FRAME_BYTES));
            InputStream fromWorker = new ByteArrayInputStream(received);
            assertInstanceOf(Hello.class, FrameStreams.read(fromWorker, MessageCodec.DEFAULT_MAX_FRAME_BYTES));
            assertInstanceOf(Auth.class, FrameStreams.read(fromWorker, MessageCodec.DEFAULT_MAX_FRAME_BYTES),
                    "the worker accepted the front's proof");
            for (byte[] capture : new byte[][] {sent, received}) {
                assertEquals(-1, WorkerLinkTlsTest.indexOf(capture, TOKEN.getBytes(StandardCharsets.UTF_8)),
                        "the secret never crosses the wire");
                assertEquals(-1, WorkerLinkTlsTest.indexOf(capture,
                        TOKEN.substring(0, 12).getBytes(StandardCharsets.UTF_8)), "not even part of it");
            }
        }
    }
}
