package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.Op;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpKind;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import io.graypipe.worker.image.Encoders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same request with a filter chain, run in a forked child JVM and on the worker's thread pool, gives the same
 * bytes: both run {@link ScaleJob}, and this checks it end to end through a real child process.
 */
class ModesGiveIdenticalBytesTest {
    private static final WorkerConfig CONFIG = new WorkerConfig("127.0.0.1", 0, 1, WorkerConfig.PoolMode.PROCESSES,
            16, 4, MessageCodec.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(5), Duration.ofSeconds(5), "",
            WorkerSecrets.fixed(new byte[0]), null, null,
            new Encoders(null, WebP.load(WebP.DEFAULT_LIBRARY, new StringBuilder()).orElse(null),
                    Avif.load(Avif.DEFAULT_LIBRARY, new StringBuilder()).orElse(null)));
    private static ChildProcessPool children;
    private static ThreadScalePool threads;

    @BeforeAll
    static void startPools() throws Exception {
        children = new ChildProcessPool(CONFIG);
        children.start(Duration.ofSeconds(60));
        threads = new ThreadScalePool(CONFIG);
    }

    @AfterAll
    static void closePools() {
        if (children != null) {
            children.close();
        }
        if (threads != null) {
            threads.close();
        }
    }

    private static ImageData photo(int w, int h, boolean alpha) {
        SplittableRandom random = new SplittableRandom(w * 31L + h);
        int bpp = alpha ? 2 : 1;
        byte[] data = new byte[w * h * bpp];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * bpp;
                data[i] = (byte) Math.min(255, x * 200 / w + ((x / 9 + y / 7) % 2) * 40 + random.nextInt(16));
                if (alpha) {
                    data[i + 1] = (byte) (255 - y * 255 / h);
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, data);
    }

    private static Message run(ScalePool pool, ScaleRequest request) throws Exception {
        return pool.submit(request).get(60, TimeUnit.SECONDS);
    }

    @Test
    void processesAndThreadsGiveTheSameBytesForEveryChain() throws Exception {
        List<String> chains = List.of("", "sepia", "invert,posterize:1", "posterize:1,invert", "blur:3,contrast:1.5",
                "edges", "emboss", "watermark:graypipe", "sharpen:2,brightness:1.2,resize:100x100,rotate:90,flip:h",
                "sepia,blur:1,watermark:(c) 2026");
        long id = 1;
        for (boolean alpha : new boolean[]{false, true}) {
            ImageData image = photo(301, 207, alpha);
            // WebP and AVIF where the libraries are installed: children load them by name, as the worker did.
            for (OutputFormat format : java.util.Arrays.stream(OutputFormat.values()).filter(CONFIG.encoders()::encodes).toList()) {
                for (String chain : chains) {
                    ScaleRequest request = new ScaleRequest(id++, 150, 103, format, 85, 30_000,
                            ExecutionMode.DEFAULT, OpChain.parse(chain).ops(), image);
                    ScaleResult inChild = assertInstanceOf(ScaleResult.class, run(children, request), chain);
                    ScaleResult inThread = assertInstanceOf(ScaleResult.class, run(threads, request), chain);
                    assertEquals(ExecutionMode.PROCESSES, inChild.mode());
                    assertEquals(ExecutionMode.THREADS, inThread.mode());
                    String what = chain + " " + format + (alpha ? " with alpha" : "");
                    assertArrayEquals(inChild.data(), inThread.data(), what);
                    if (!format.always()) {
                        continue; // ImageIO reads neither; ModernFormatsEncodingTest decodes them with their tools
                    }
                    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(inChild.data()));
                    assertEquals(inChild.width(), decoded.getWidth(), what);
                    assertEquals(inChild.height(), decoded.getHeight(), what);
                    boolean colour = chain.contains("sepia");
                    assertEquals(colour ? 3 : 1, decoded.getColorModel().getNumColorComponents(), what);
                }
            }
        }
    }

    @Test
    void filtersRunAfterScalingAndChangeTheSize() throws Exception {
        ScaleRequest request = new ScaleRequest(1, 150, 100, OutputFormat.PNG, 85, 30_000, ExecutionMode.DEFAULT,
                OpChain.parse("rotate:90,resize:50x50").ops(), photo(300, 200, false));
        ScaleResult result = assertInstanceOf(ScaleResult.class, run(threads, request));
        // 150x100 rotated is 100x150, fitted into 50x50 is 33x50
        assertEquals(33, result.width());
        assertEquals(50, result.height());
    }

    @Test
    void aChainOutsideTheRangesIsABadRequestInBothModes() throws Exception {
        ScaleRequest request = new ScaleRequest(7, 10, 10, OutputFormat.JPEG, 85, 30_000, ExecutionMode.DEFAULT,
                List.of(Op.of(OpKind.BLUR, 80)), photo(20, 20, false));
        for (ScalePool pool : new ScalePool[]{children, threads}) {
            ErrorMessage error = assertInstanceOf(ErrorMessage.class, run(pool, request));
            assertEquals(ErrorCode.BAD_REQUEST, error.code());
            assertEquals(7, error.requestId());
            assertTrue(error.message().contains("blur radius 80 is out of range; use 0 < R <= 50"), error.message());
        }
    }

    @Test
    void eachRequestRunsInTheModeItNamesWhateverTheWorkersDefault() throws Exception {
        ImageData image = photo(120, 80, false);
        for (ExecutionMode workerDefault : new ExecutionMode[]{ExecutionMode.PROCESSES, ExecutionMode.THREADS}) {
            // Not closed here: the pools belong to the class and are closed after all tests.
            ModeRoutingPool worker = new ModeRoutingPool(children, threads, workerDefault);
            for (ExecutionMode asked : ExecutionMode.values()) {
                ScaleRequest request = new ScaleRequest(11, 60, 40, OutputFormat.PNG, 85, 30_000, asked,
                        OpChain.parse("sepia").ops(), image);
                ScaleResult result = assertInstanceOf(ScaleResult.class, run(worker, request));
                ExecutionMode expected = asked == ExecutionMode.DEFAULT ? workerDefault : asked;
                assertEquals(expected, result.mode(), "asked " + asked + " of a " + workerDefault + " worker");
                assertEquals(11, result.requestId());
            }
            ScalePool.PoolStatus status = worker.status();
            assertEquals(CONFIG.processes(), status.configured());
            assertEquals(CONFIG.processes(), status.alive());
            assertEquals(CONFIG.processes(), status.threads(), "the thread pool's size is in STATUS");
            assertEquals(CONFIG.processes(), status.children().size());
        }
    }
}
