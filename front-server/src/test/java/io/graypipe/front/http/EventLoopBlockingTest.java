package io.graypipe.front.http;

import io.graypipe.front.image.GrayscaleDecoder;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ShrinkOnLoadDecoder;
import io.graypipe.front.image.ImageSource;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.task.Task;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.OpChain;
import io.graypipe.front.worker.ScaleOrder;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.WorkerStatus;
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

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * task body marked as blocking on top of the JDK's own blocking calls. Both markers are looked up as methods, so
 * a rename fails this test, and each has a canary test proving BlockHound reports it on an event loop.
 *
 * <p>Surefire runs every test class in its own JVM, so the instrumentation stays in this one.
 */
class EventLoopBlockingTest {
    /**
     * The methods marked as blocking, looked up by their parameter types: BlockHound silently ignores a marker
     * that names no method, so a rename or a new parameter must fail here, in the class initialiser, instead.
     */
    private static final Method DECODE = method(GrayscaleDecoder.class, "decode", ImageSource.class);
    private static final Method PIPELINE_RUN = method(ImagePipeline.class, "run", Task.class, Upload.class,
            ProcessingOptions.class, ImagePipeline.ResultSink.class);
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
                .markAsBlocking(DECODE.getDeclaringClass(), DECODE.getName(), descriptor(DECODE))
                .markAsBlocking(PIPELINE_RUN.getDeclaringClass(), PIPELINE_RUN.getName(), descriptor(PIPELINE_RUN))
                // slf4j-simple writes log lines to stderr synchronously, like every logger's console output.
                .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
                .blockingMethodCallback(method -> {
                    blockedEventLoops.add(method);
                    throw new BlockingOperationError(method);
                })
                .install();
        front = TestFront.builder().uploadMemoryThreshold(8 * 1024).start();
    }

    private static Method method(Class<?> owner, String name, Class<?>... parameters) {
        try {
            return owner.getDeclaredMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(owner.getSimpleName() + "." + name + " is marked as blocking but no longer exists;"
                    + " mark the method that now does the work", e);
        }
    }

    private static String descriptor(Method method) {
        return MethodType.methodType(method.getReturnType(), method.getParameterTypes()).toMethodDescriptorString();
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
                post("/process", "image/jpeg", TestImages.jpegClaiming(64000, 64000)),
                post("/info", "image/png", spilled),
                BadRequests.multipart("/info", part(BadRequests.BOUNDARY, "image", "big.png", spilled)),
                post("/info", "image/png", TestImages.truncated(spilled)));
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
        assertEquals(200, RawHttp.get(front.address(), "/docs").status());
        assertEquals(200, RawHttp.get(front.address(), "/docs/swagger-ui-bundle.js").status());

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

    @Test
    void runningThePipelineOnAnEventLoopIsCaught() {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("graypipe-http-probe"),
                NioIoHandler.newFactory());
        try {
            TaskRegistry tasks = new TaskRegistry(Clock.systemUTC(), Duration.ofMinutes(1));
            // The event loop as the gray executor: exactly the mistake this check exists to catch.
            ImagePipeline pipeline = new ImagePipeline(ShrinkOnLoadDecoder.create(new ImageLimits(1_000_000, 1000),
                    true, Optional.empty()), new UnreachableWorkers(), tasks, loop, 1, Duration.ofSeconds(10));
            Task task = tasks.create(0.5, OpChain.EMPTY, ExecutionMode.DEFAULT, Duration.ofSeconds(10));
            Upload upload = new Upload(ImageSource.of(TestImages.png(8, 8)), "probe.png", () -> { });

            pipeline.start(task, upload, ProcessingOptions.parse(Map.of()), (done, image, output, ranIn) -> { });

            Await.until(Duration.ofSeconds(10), "BlockHound to report ImagePipeline.run on the event loop",
                    () -> blockedEventLoops.stream().anyMatch(m -> m.getName().equals(PIPELINE_RUN.getName())));
            assertEquals(TaskState.QUEUED, task.status().status(), "run was stopped before it did anything");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Workers the probe pipeline never reaches: BlockHound stops {@code run} at its first instruction. */
    private static final class UnreachableWorkers implements Workers {
        @Override
        public void start() {
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public String unavailableReason() {
            return "no worker in this test";
        }

        @Override
        public java.util.Set<io.graypipe.protocol.OutputFormat> encodable() {
            return java.util.Set.of();
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public CompletableFuture<ScaleResult> scale(ScaleOrder order, int timeoutMillis) {
            throw new AssertionError("the pipeline ran past BlockHound's check");
        }

        @Override
        public CompletableFuture<WorkerStatus> fetchStatus(Duration timeout) {
            throw new AssertionError("not used");
        }

        @Override
        public java.util.List<io.graypipe.front.worker.WorkerSnapshot> snapshots() {
            throw new AssertionError("not used");
        }

        @Override
        public void close() {
        }
    }
}
