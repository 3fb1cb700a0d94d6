package io.graypipe.front.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.Signals;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared-memory raster path (PROTOCOL.md, SCALE_REQUEST "SHARED") end to end, with real fronts, workers and
 * children: it is used when front and worker share a host id, it gives the same bytes as the inline path, it is
 * not used with {@code --shared-memory off} or a worker on another directory, and no region outlives its request,
 * nor a {@code kill -9} of a child, the worker or the front (after the front restarts on the same directory). Each
 * test has its own shared-memory directory, so tests running side by side never see each other's regions.
 */
class SharedMemoryTest {
    private static final Duration SLOW = Duration.ofSeconds(60);
    private static final int TASKS = 12;
    private static byte[] image;

    @TempDir
    Path shm;
    @TempDir
    Path dataDir;

    @BeforeAll
    static void makeImage() {
        image = TestImages.write(TestImages.noisyPhoto(1200, 900, 7), "png");
    }

    @Test
    @Timeout(180)
    void sharedRegionsGiveTheInlineBytesAndInlineIsUsedWhenHostsDiffer(@TempDir Path otherShm, @TempDir Path tokenDir)
            throws Exception {
        byte[] shared;
        try (FrontProcess front = start(shm, "-n", "1")) {
            shared = process(front);
            JsonNode stats = sharedMemoryStats(front);
            assertEquals(shm.toString(), stats.path("directory").asText(), stats::toString);
            assertEquals(1, stats.path("regions_created").asLong(), () -> "the raster did not go through a region: " + stats);
            Await.until(Duration.ofSeconds(10), "the region to be deleted", () -> regions(shm).isEmpty());
        }
        byte[] off;
        try (FrontProcess front = start(null, "-n", "1")) {
            off = process(front);
            assertTrue(sharedMemoryStats(front).path("directory").isNull());
        }
        assertArrayEquals(off, shared, "shared-memory and inline rasters gave different images");

        // A worker on another directory has another host id: the front must send the pixels inline.
        Path token = tokenDir.resolve("token");
        Files.writeString(token, "shared-memory-test-token");
        try (WorkerProcess worker = WorkerProcess.start(0, token, "-n", "1", "--shared-memory", otherShm.toString());
             FrontProcess front = start(shm, "--worker", "127.0.0.1:" + worker.address().getPort(),
                     "--worker-token-file", token.toString())) {
            assertArrayEquals(off, process(front), "a raster sent inline to a standalone worker differs");
            assertEquals(0, sharedMemoryStats(front).path("regions_created").asLong());
            assertTrue(regions(shm).isEmpty() && regions(otherShm).isEmpty());
        }
    }

    @Test
    @Timeout(120)
    void killingAChildUnderLoadLeavesNoRegion() throws Exception {
        killUnderLoad(front -> front.children().get(0));
    }

    @Test
    @Timeout(120)
    void killingTheWorkerUnderLoadLeavesNoRegion() throws Exception {
        killUnderLoad(front -> front.workers().get(0));
    }

    /**
     * Submits {@link #TASKS} tasks, killing {@code victim} a third of the way. Whether each task still beats its
     * deadline depends on how fast a loaded machine replaces the process (WorkerFailureTest covers that); here
     * every task must end, and its region with it.
     */
    private void killUnderLoad(Function<FrontProcess, ProcessHandle> victim) throws IOException {
        try (FrontProcess front = start(shm, "-n", "2")) {
            Await.until(Duration.ofSeconds(30), "two children", () -> front.children().size() == 2);
            TaskLedger ledger = new TaskLedger();
            for (int i = 0; i < TASKS; i++) {
                ledger.submit(front, image);
                if (i == TASKS / 3) {
                    victim.apply(front).destroyForcibly();
                }
            }
            TaskLedger.countDone(ledger.awaitAllFinal(front, SLOW));
            Await.until(Duration.ofSeconds(10), "every region to be deleted", () -> regions(shm).isEmpty());
            assertTrue(sharedMemoryStats(front).path("regions_created").asLong() >= TASKS / 3,
                    "the requests did not go through shared memory");
        }
    }

    /**
     * The worker is stopped (SIGSTOP) so that the requests hang with their regions written; then the front dies by
     * {@code kill -9}, which leaves those regions behind. The next front on the same directory deletes them at
     * start, and finishes the recovered tasks without leaving any of its own.
     */
    @Test
    @Timeout(180)
    void killingTheFrontLeavesRegionsThatItsRestartSweeps() throws Exception {
        TaskLedger ledger = new TaskLedger();
        List<ProcessHandle> orphans = new ArrayList<>();
        // Two children: the front hands a worker only as many rasters as it has free children (fair dispatch), so
        // two regions are written at once, and the other two uploads wait in the front.
        try (FrontProcess front = start(shm, "-n", "2")) {
            Await.until(Duration.ofSeconds(30), "two children", () -> front.children().size() == 2);
            ProcessHandle worker = front.workers().get(0);
            orphans.add(worker);
            orphans.addAll(front.children());
            Signals.send("STOP", worker);
            for (int i = 0; i < 4; i++) {
                ledger.submit(front, image);
            }
            Await.until(SLOW, "regions for the stopped worker", () -> regions(shm).size() >= 2);
            front.kill9();
        } finally {
            orphans.forEach(ProcessHandle::destroyForcibly);
        }
        List<Path> left = regions(shm);
        assertTrue(left.size() >= 2, () -> "kill -9 of the front should leave its regions: " + left);

        try (FrontProcess restarted = start(shm, "-n", "1")) {
            assertTrue(left.stream().noneMatch(Files::exists), "the restarted front kept a dead front's region");
            assertAllDone(ledger.awaitAllFinal(restarted, SLOW));
            Await.until(Duration.ofSeconds(10), "every region to be deleted", () -> regions(shm).isEmpty());
        }
    }

    /** A front on {@code sharedMemory}, or with {@code --shared-memory off} when it is null. */
    private FrontProcess start(Path sharedMemory, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--shared-memory", sharedMemory != null ? sharedMemory.toString() : "off"));
        all.addAll(List.of(args));
        return FrontProcess.builder().dataDir(dataDir).args(all.toArray(String[]::new)).start();
    }

    private static byte[] process(FrontProcess front) {
        HttpResponse<byte[]> response = front.post("/process?scale=0.5&format=png", image);
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(600, TestImages.decode(response.body()).getWidth());
        return response.body();
    }

    private static JsonNode sharedMemoryStats(FrontProcess front) {
        return FrontProcess.json(front.get("/stats")).path("shared_memory");
    }

    private static void assertAllDone(Map<String, JsonNode> finals) {
        assertEquals(finals.size(), TaskLedger.countDone(finals), () -> "a task failed: " + finals);
    }

    private static List<Path> regions(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("graypipe-")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
