package io.graypipe.front.http;

import io.graypipe.front.image.GrayscaleDecoder;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.graypipe.front.http.RawHttp.part;
import static io.graypipe.front.http.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails if image work, or any other blocking call, ever runs on a Netty event loop of the front. BlockHound
 * watches the threads named {@code graypipe-http*} (and only those: Netty would also count the gray and upload
 * pools, which are made by the same thread factory and are meant to block), with the decoder and the pipeline's
 * task body marked as blocking on top of the JDK's own blocking calls.
 *
 * <p>Surefire runs every test class in its own JVM, so the instrumentation stays in this one.
 */
class EventLoopBlockingTest {
    private static final List<BlockingMethod> blockedEventLoops = new CopyOnWriteArrayList<>();
    private static TestFront front;

    @BeforeAll
    static void installAndStart() throws Exception {
        // The JDK's socket classes read a properties file once, in their static initialisers; let that happen
        // here rather than on the event loop that happens to open the first socket.
        try (var server = java.nio.channels.ServerSocketChannel.open();
             var client = java.nio.channels.SocketChannel.open()) {
            server.socket();
            client.socket();
        }
        BlockHound.builder()
                .loadIntegrations()
                .nonBlockingThreadPredicate(ignoredDefaults -> thread -> thread.getName().startsWith("graypipe-http"))
                .markAsBlocking(GrayscaleDecoder.class, "decode",
                        "(Lio/graypipe/front/image/ImageSource;)Lio/graypipe/front/image/DecodedImage;")
                .markAsBlocking("io.graypipe.front.pipeline.ImagePipeline", "run",
                        "(Lio/graypipe/front/task/Task;Lio/graypipe/front/pipeline/Upload;"
                                + "Lio/graypipe/front/pipeline/ProcessingOptions;)V")
                // slf4j-simple writes log lines to stderr synchronously, like every logger's console output.
                .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
                .blockingMethodCallback(method -> {
                    blockedEventLoops.add(method);
                    throw new BlockingOperationError(method);
                })
                .install();
        front = TestFront.builder().uploadMemoryThreshold(8 * 1024).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.close();
        }
    }

    @BeforeEach
    void forgetEarlierReports() {
        blockedEventLoops.clear();
    }

    @Test
    void uploadsOfEveryKindNeverBlockAnEventLoop() {
        byte[] png = TestImages.png(320, 240);
        byte[] spilled = TestImages.noisePng(120, 120);
        List<byte[]> requests = List.of(
                post("/process", "image/png", png),
                post("/process?format=jpeg&quality=70", "image/jpeg", TestImages.jpeg(640, 480)),
                post("/process", "image/png", spilled),
                BadRequests.multipart("/process", part(BadRequests.BOUNDARY, "image", "big.png", spilled)),
                BadRequests.multipart("/process", part(BadRequests.BOUNDARY, "scale", null, RawHttp.ascii("0.25")),
                        part(BadRequests.BOUNDARY, "image", "a.png", png)),
                post("/process", "image/png", TestImages.truncated(spilled)),
                post("/process", "image/jpeg", TestImages.jpegClaiming(64000, 64000)));
        for (byte[] request : requests) {
            RawHttp.Response response = RawHttp.exchange(front.address(), request);
            assertTrue(response.status() == 200 || response.status() == 422, response::toString);
        }
        RawHttp.Response accepted = RawHttp.exchange(front.address(), post("/tasks", "image/png", spilled));
        assertEquals(202, accepted.status(), accepted::toString);
        String id = accepted.json().path("id").asText();
        Await.until(Duration.ofSeconds(10), "the task to finish", () -> "done".equals(
                RawHttp.get(front.address(), "/tasks/" + id).json().path("status").asText()));
        assertEquals(200, RawHttp.get(front.address(), "/tasks/" + id + "/result").status());

        assertEquals(List.of(), blockedEventLoops, "blocking calls on an event loop");
    }

    @Test
    void decodingOnAnEventLoopIsCaught() throws Exception {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("graypipe-http-probe"),
                NioIoHandler.newFactory());
        try {
            GrayscaleDecoder decoder = new GrayscaleDecoder(new ImageLimits(1_000_000, 1000));
            ImageSource png = ImageSource.of(TestImages.png(8, 8));

            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> loop.submit(() -> decoder.decode(png)).get(10, TimeUnit.SECONDS));

            assertInstanceOf(BlockingOperationError.class, failure.getCause());
            assertTrue(blockedEventLoops.stream().anyMatch(m -> m.getName().equals("decode")), blockedEventLoops::toString);
            // The same call off the event loop is fine.
            assertEquals(8, decoder.decode(png).gray().width());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
