package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.protocol.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SHARED request read from a real region file: the same output as inline pixels, and REGION_UNAVAILABLE, never a
 * read outside the directory, when the region is missing, short, a symbolic link, or the worker offers no shared
 * memory. The regions are left in place: only the front deletes them.
 */
class SharedRegionReaderTest {
    private static final int W = 64;
    private static final int H = 48;

    @TempDir
    Path shm;
    @TempDir
    Path elsewhere;

    private static byte[] pixels() {
        byte[] pixels = new byte[W * H];
        new SplittableRandom(3).nextBytes(pixels);
        return pixels;
    }

    private static ScaleRequest request(ImageData image) {
        return ScaleRequest.scale(5, W / 2, H / 2, OutputFormat.PNG, 85, 5_000, image);
    }

    private SharedRegionReader reader() {
        return SharedRegionReader.open(shm, false).orElseThrow();
    }

    @Test
    void aRegionGivesTheSameImageAsInlinePixelsAndStays() throws Exception {
        Files.write(shm.resolve("graypipe-1-2-3"), pixels());
        Message inline = ScaleJob.run(request(new ImageData(PixelFormat.GRAY8, W, H, pixels())), ExecutionMode.THREADS, null, null);
        Message shared = ScaleJob.run(request(ImageData.shared(PixelFormat.GRAY8, W, H, "graypipe-1-2-3")),
                ExecutionMode.THREADS, reader(), null);
        assertArrayEquals(assertInstanceOf(ScaleResult.class, inline).data(),
                assertInstanceOf(ScaleResult.class, shared).data());
        assertTrue(Files.exists(shm.resolve("graypipe-1-2-3")), "the worker deleted a region it does not own");
        assertEquals(SharedMemory.hostId(shm).orElseThrow(), reader().hostId());
    }

    @Test
    void aMissingShortOrLinkedRegionIsUnavailable() throws Exception {
        Files.write(shm.resolve("short"), Arrays.copyOf(pixels(), W * H - 1));
        Files.write(elsewhere.resolve("outside"), pixels());
        Files.createSymbolicLink(shm.resolve("link"), elsewhere.resolve("outside"));
        for (String name : new String[]{"missing", "short", "link"}) {
            Message answer = ScaleJob.run(request(ImageData.shared(PixelFormat.GRAY8, W, H, name)),
                    ExecutionMode.THREADS, reader(), null);
            ErrorMessage error = assertInstanceOf(ErrorMessage.class, answer, name);
            assertEquals(ErrorCode.REGION_UNAVAILABLE, error.code(), name);
            assertEquals(5, error.requestId());
        }
    }

    @Test
    void aWorkerWithoutSharedMemoryAnswersRegionUnavailable() throws Exception {
        Files.write(shm.resolve("graypipe-1-2-3"), pixels());
        Message answer = ScaleJob.run(request(ImageData.shared(PixelFormat.GRAY8, W, H, "graypipe-1-2-3")),
                ExecutionMode.THREADS, null, null);
        assertEquals(ErrorCode.REGION_UNAVAILABLE, assertInstanceOf(ErrorMessage.class, answer).code());
        assertTrue(SharedRegionReader.open(shm.resolve("no-such-dir"), false).isEmpty());
    }
}
