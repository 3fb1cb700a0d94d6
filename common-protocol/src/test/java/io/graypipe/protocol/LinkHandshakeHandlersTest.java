package io.graypipe.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link's handshake and heartbeat handlers, a front's pipeline and a worker's wired to each other through two
 * {@link EmbeddedChannel}s: every frame one side writes is read by the other, as on a connection.
 */
class LinkHandshakeHandlersTest {
    private static final byte[] CURRENT = "current secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PREVIOUS = "previous secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** What reaches the end of a pipeline: user events and messages. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Object> events = new ArrayList<>();
        final List<Object> messages = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            events.add(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            messages.add(message);
        }

        HandshakeCompletionEvent handshake() {
            return events.stream().filter(HandshakeCompletionEvent.class::isInstance)
                    .map(HandshakeCompletionEvent.class::cast).findFirst().orElse(null);
        }
    }

    private final Recorder atFront = new Recorder();
    private final Recorder atWorker = new Recorder();

    private EmbeddedChannel front(byte[] secret, int features, String hostId) {
        return new EmbeddedChannel(Heartbeat.clock(TIMEOUT), new ClientHandshakeHandler(features, hostId, () -> secret),
                new Heartbeat(), atFront);
    }

    private EmbeddedChannel worker(List<byte[]> secrets, int features, String hostId) {
        return new EmbeddedChannel(new ServerHandshakeHandler(features, hostId, () -> secrets, TIMEOUT),
                new Heartbeat(), atWorker);
    }

    /** Carries frames both ways until neither side has anything more to say. */
    private static void exchange(EmbeddedChannel front, EmbeddedChannel worker) {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Object m; (m = front.readOutbound()) != null; moved = true) {
                worker.writeInbound(m);
            }
            for (Object m; (m = worker.readOutbound()) != null; moved = true) {
                front.writeInbound(m);
            }
        }
    }

    @Test
    void bothSidesFireSuccessRemoveThemselvesAndLetMessagesThrough() {
        EmbeddedChannel front = front(CURRENT, Hello.FEATURE_SHARED_MEMORY, "boot:/dev/shm");
        EmbeddedChannel worker = worker(List.of(CURRENT), Hello.FEATURE_SHARED_MEMORY | Hello.FEATURE_ENCODE_WEBP,
                "boot:/dev/shm");
        exchange(front, worker);

        HandshakeCompletionEvent atF = atFront.handshake();
        HandshakeCompletionEvent atW = atWorker.handshake();
        assertTrue(atF.isSuccess(), String.valueOf(atF));
        assertTrue(atW.isSuccess(), String.valueOf(atW));
        assertTrue(atF.sharesMemory(), "same feature and host id on both sides");
        assertTrue(atF.peer().encodes(OutputFormat.WEBP), "the front learns the worker's encoders");
        assertEquals(0, atW.secretIndex());
        assertNull(front.pipeline().get(ClientHandshakeHandler.class), "the front's handler removed itself");
        assertNull(worker.pipeline().get(ServerHandshakeHandler.class), "the worker's handler removed itself");
        assertTrue(atFront.messages.isEmpty() && atWorker.messages.isEmpty(), "no handshake frame got through");

        front.writeOutbound(new StatusRequest(3), new Ping(8));
        exchange(front, worker);
        assertEquals(List.of(new StatusRequest(3)), atWorker.messages, "a PING is answered, not passed on");
        assertTrue(atFront.messages.isEmpty(), "the PONG is dropped at the front's heartbeat");
    }

    @Test
    void theWorkerAcceptsThePreviousSecretAndSaysWhichMatched() {
        EmbeddedChannel front = front(PREVIOUS, 0, "");
        EmbeddedChannel worker = worker(List.of(CURRENT, PREVIOUS), 0, "");
        exchange(front, worker);

        assertTrue(atFront.handshake().isSuccess(), "the worker answers under the secret the front proved");
        assertEquals(1, atWorker.handshake().secretIndex());
        assertFalse(atFront.handshake().sharesMemory());
    }

    @Test
    void aFrontWithTheWrongSecretIsRefusedAndBothSidesSayWhy() {
        EmbeddedChannel front = front("wrong".getBytes(StandardCharsets.UTF_8), 0, "");
        EmbeddedChannel worker = worker(List.of(CURRENT), 0, "");
        exchange(front, worker);

        assertEquals("wrong proof: the front does not hold this worker's secret", atWorker.handshake().failure());
        assertEquals("the worker closed the connection: unauthorized: wrong proof: the front does not hold this"
                + " worker's secret", atFront.handshake().failure());
        assertFalse(worker.isOpen());
        assertFalse(front.isOpen());
    }

    @Test
    void aWorkerThatCannotProveItselfIsLeftBeforeAnythingIsSent() {
        EmbeddedChannel front = front(CURRENT, 0, "");
        assertInstanceOf(Hello.class, front.readOutbound());
        front.writeInbound(Hello.current(Hello.Role.WORKER, 0, ""));
        assertInstanceOf(Auth.class, front.readOutbound(), "the front proves itself");
        front.writeInbound(new Auth(new byte[Auth.MAC_BYTES]));

        HandshakeCompletionEvent failed = atFront.handshake();
        assertFalse(failed.isSuccess());
        assertTrue(failed.failure().endsWith("does not hold the shared secret; no image was sent to it"),
                failed.failure());
        assertFalse(front.isOpen());
    }

    @Test
    void theWorkerRefusesAnythingButHelloFirst() {
        EmbeddedChannel worker = worker(List.of(CURRENT), 0, "");
        worker.writeInbound(new StatusRequest(1));
        ErrorMessage refusal = assertInstanceOf(ErrorMessage.class, worker.readOutbound());
        assertEquals(ErrorCode.UNAUTHORIZED, refusal.code());
        assertEquals(ErrorMessage.CONNECTION, refusal.requestId());
        assertEquals("the first message must be HELLO", refusal.message());
        assertTrue(atWorker.messages.isEmpty(), "nothing passes before the handshake");
        assertFalse(worker.isOpen());
    }

    @Test
    void theWorkerRefusesAHelloFromAnotherRole() {
        EmbeddedChannel worker = worker(List.of(CURRENT), 0, "");
        worker.writeInbound(Hello.current(Hello.Role.WORKER, 0, ""));
        assertEquals("a HELLO from a WORKER, not a FRONT",
                assertInstanceOf(ErrorMessage.class, worker.readOutbound()).message());
        assertFalse(worker.isOpen());
    }

    @Test
    void noHandshakeWithinTheTimeoutIsRefused() {
        EmbeddedChannel worker = worker(List.of(CURRENT), 0, "");
        worker.writeInbound(Hello.current(Hello.Role.FRONT, 0, ""));
        assertInstanceOf(Hello.class, worker.readOutbound());
        worker.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        worker.runPendingTasks();

        ErrorMessage refusal = assertInstanceOf(ErrorMessage.class, worker.readOutbound());
        assertEquals("no handshake within 5000 ms", refusal.message());
        assertFalse(worker.isOpen());
    }

    @Test
    void theFrontPingsWhenQuietAndLeavesASilentWorker() {
        EmbeddedChannel front = front(CURRENT, 0, "");
        EmbeddedChannel worker = worker(List.of(CURRENT), 0, "");
        exchange(front, worker);
        assertTrue(atFront.handshake().isSuccess());

        front.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        front.runPendingTasks();
        assertInstanceOf(Ping.class, front.readOutbound(), "a PING after one interval without writing");
        assertTrue(front.isOpen());

        front.advanceTimeBy(TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        front.runPendingTasks();
        assertTrue(atFront.events.stream().anyMatch(Heartbeat.PeerSilent.class::isInstance),
                "three intervals without reading: the worker is silent");
        assertFalse(front.isOpen());
    }
}
