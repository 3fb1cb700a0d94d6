package io.graypipe.worker;

import io.graypipe.protocol.Auth;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.Handshake;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.Pong;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.StatusRequest;
import io.graypipe.protocol.WorkerStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's side of one front connection as {@link FrontConnectionHandler#install} builds it, on an
 * {@link EmbeddedChannel}: the handshake gate, then requests to the pool and answers back. The pool runs {@link ScaleJob} on the calling thread, so answers are written
 * before {@code writeInbound} returns.
 */
class FrontConnectionHandlerTest {
    private static final byte[] TOKEN = "test-token".getBytes(StandardCharsets.UTF_8);
    private static final WorkerConfig CONFIG = new WorkerConfig("127.0.0.1", 0, 1, WorkerConfig.PoolMode.THREADS,
            8, 4, 1 << 20, Duration.ofSeconds(5), Duration.ofSeconds(5), "", WorkerSecrets.fixed(TOKEN), null, null, null);

    /** Scales on the caller's thread; the status is that of one idle child. */
    private static final class InlinePool implements ScalePool {
        int submitted;

        @Override
        public CompletableFuture<Message> submit(ScaleRequest request) {
            submitted++;
            return CompletableFuture.completedFuture(ScaleJob.run(request, ExecutionMode.THREADS, null, null));
        }

        @Override
        public PoolStatus status() {
            return new PoolStatus(1, 1, 0, 0, 0, 0, 0, List.of(new WorkerStatus.Child(true, false, submitted, 0)));
        }

        @Override
        public boolean drain(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private final InlinePool pool = new InlinePool();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
            FrontConnectionHandler.install(ch.pipeline(), CONFIG, pool);
        }
    });

    /** The handshake a front makes (HELLO, the worker's HELLO, our proof, its proof); the one place these tests know its shape. */
    private void handshake() {
        Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
        channel.writeInbound(ours);
        Hello theirs = assertInstanceOf(Hello.class, channel.readOutbound(), "the worker answers HELLO with HELLO");
        channel.writeInbound(Handshake.proof(TOKEN, Hello.Role.FRONT, ours, theirs));
        Auth proof = assertInstanceOf(Auth.class, channel.readOutbound(), "the worker proves itself in turn");
        assertTrue(Handshake.verify(TOKEN, Hello.Role.WORKER, ours, theirs, proof));
    }

    private static ScaleRequest scaleRequest(long id) {
        byte[] pixels = new byte[16 * 8];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 2);
        }
        return ScaleRequest.scale(id, 8, 4, OutputFormat.PNG, 85, 1_000, new ImageData(PixelFormat.GRAY8, 16, 8, pixels));
    }

    @Test
    void aRequestBeforeTheHandshakeIsRefusedAndTheConnectionClosed() {
        channel.writeInbound(scaleRequest(1));

        ErrorMessage refusal = assertInstanceOf(ErrorMessage.class, channel.readOutbound());
        assertEquals(ErrorMessage.CONNECTION, refusal.requestId());
        assertEquals(ErrorCode.UNAUTHORIZED, refusal.code());
        assertFalse(channel.isOpen(), "the connection closes after the refusal");
        assertEquals(0, pool.submitted, "nothing reaches the pool before the handshake");
    }

    @Test
    void aProofMadeWithTheWrongSecretIsRefused() {
        Hello ours = Hello.current(Hello.Role.FRONT, 0, "");
        channel.writeInbound(ours);
        Hello theirs = assertInstanceOf(Hello.class, channel.readOutbound());
        channel.writeInbound(Handshake.proof("wrong".getBytes(StandardCharsets.UTF_8), Hello.Role.FRONT, ours, theirs));

        ErrorMessage refusal = assertInstanceOf(ErrorMessage.class, channel.readOutbound());
        assertEquals(ErrorCode.UNAUTHORIZED, refusal.code());
        assertFalse(channel.isOpen());
    }

    @Test
    void afterTheHandshakeRequestsAreScaledAndAnsweredWithTheirIds() {
        handshake();
        channel.writeInbound(scaleRequest(41), scaleRequest(42));

        ScaleResult first = assertInstanceOf(ScaleResult.class, channel.readOutbound());
        ScaleResult second = assertInstanceOf(ScaleResult.class, channel.readOutbound());
        assertEquals(41, first.requestId());
        assertEquals(42, second.requestId());
        assertEquals(8, first.width());
        assertEquals(4, first.height());
        assertEquals(2, pool.submitted);
        assertTrue(channel.isOpen());
    }

    @Test
    void pingsArePongedAndStatusRequestsAnsweredWithTheirNonce() {
        handshake();
        channel.writeInbound(new Ping(7), new StatusRequest(9));

        assertEquals(7, assertInstanceOf(Pong.class, channel.readOutbound()).nonce());
        WorkerStatus status = assertInstanceOf(WorkerStatus.class, channel.readOutbound());
        assertEquals(9, status.nonce());
        assertEquals(1, status.alive());
    }

    @Test
    void anUnexpectedMessageAfterTheHandshakeClosesTheConnection() {
        handshake();
        channel.writeInbound(Hello.current(Hello.Role.FRONT, 0, ""));

        ErrorMessage refusal = assertInstanceOf(ErrorMessage.class, channel.readOutbound());
        assertEquals(ErrorCode.MALFORMED, refusal.code());
        assertFalse(channel.isOpen());
    }
}
