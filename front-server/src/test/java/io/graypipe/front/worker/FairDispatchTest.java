package io.graypipe.front.worker;

import io.graypipe.front.fair.Share;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.WorkerProcess;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.SecretFile;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dispatch to a real scale-worker with one child (threads mode, one thread): with {@link FairDispatch} a light
 * client's image waits for at most one more of a heavy client's backlog; sent straight to the worker, as
 * {@code --fifo-queue} does, it waits behind all of it. Order is asserted, never time.
 */
class FairDispatchTest {
    private static final Share HEAVY = new Share("key:heavy", 1);
    private static final Share LIGHT = new Share("key:light", 1);
    /** Just under the quantum: one image per turn of a weight-1 client. Blurred, so each takes a while. */
    private static final ImageData RASTER = new ImageData(PixelFormat.GRAY8, 1000, 1000, new byte[1000 * 1000]);
    private static final int BACKLOG = 6;

    @TempDir
    Path dir;
    private WorkerProcess worker;
    private EventLoopGroup group;
    private Workers workers;

    @BeforeEach
    void startWorker() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "fair-dispatch-test-token\n");
        worker = WorkerProcess.start(0, token, "-n", "1", "--mode", "threads");
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SecretFile secret = SecretFile.open(token);
        InetSocketAddress address = worker.address();
        WorkerClient connection = new WorkerClient(group, "test", () -> address, secret::secret, 64 << 20, null,
                took -> { }, null);
        workers = new WorkerPool(List.of(connection));
    }

    @AfterEach
    void stop() throws Exception {
        if (workers != null) {
            workers.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aLightClientsImageWaitsForOneOfTheHeavyClientsBacklogNotAll() throws Exception {
        Workers fair = new FairDispatch(workers);
        List<String> answered = sendBacklogThenOneLight(fair);
        assertTrue(answered.indexOf("light") <= 2, "heavy 1 was sent at once, heavy 2 had its turn, then light: "
                + answered);
        assertEquals(List.of("heavy1", "heavy2", "heavy3", "heavy4", "heavy5", "heavy6"),
                answered.stream().filter(name -> name.startsWith("heavy")).toList(), "a client's own order");
        fair.close();
        workers = null;
    }

    @Test
    void sentStraightToTheWorkerItWaitsBehindTheWholeBacklog() throws Exception {
        List<String> answered = sendBacklogThenOneLight(workers);
        assertEquals(BACKLOG, answered.indexOf("light"), "first come, first served in the worker: " + answered);
    }

    private List<String> sendBacklogThenOneLight(Workers target) throws Exception {
        target.start();
        Await.until(Duration.ofSeconds(60), "the worker to report a live child",
                () -> target.unavailableReason() == null);
        List<String> answered = new CopyOnWriteArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 1; i <= BACKLOG; i++) {
            all.add(send(target, HEAVY, "heavy" + i, answered));
        }
        all.add(send(target, LIGHT, "light", answered));
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return answered;
    }

    private static CompletableFuture<?> send(Workers target, Share client, String name, List<String> answered) {
        ScaleOrder order = new ScaleOrder(RASTER, 1000, 1000, OutputFormat.PNG, 90, ExecutionMode.DEFAULT,
                OpChain.parse("blur:20").ops(), false, client);
        return target.scale(order, 100_000).thenRun(() -> answered.add(name));
    }
}
