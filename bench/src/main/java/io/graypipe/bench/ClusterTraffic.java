package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The cluster soak's request mix, on top of {@link SoakTraffic}'s accounting: sync and async uploads with every op
 * and every output format, each sent under one of several API keys; batches opened with {@code POST /batches},
 * filled, closed and, once finished, downloaded as a ZIP; event streams and bad inputs as in the single-machine soak.
 * Four fixed pictures make most uploads cache hits after their first time; a fresh picture makes a miss.
 * Every image answer, and every done task's result (fetched twice), goes through {@link ResultCheck}.
 */
final class ClusterTraffic {
    static final List<String> OPS = List.of("", "invert", "brightness:1.2", "contrast:1.5", "blur:2", "sharpen",
            "edges", "emboss", "posterize:3", "sepia", "watermark:soak", "resize:100x100", "rotate:90", "flip:h");
    static final List<String> FORMATS = List.of("jpeg", "png", "webp", "avif");
    static final int WIDTH = 320;
    static final int HEIGHT = 240;
    private static final int PICTURES = 4;
    /** Mean pause between a client's requests: a few requests a second each, which the tracker keeps up with. */
    static final int THINK_MILLIS = 150;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SoakTraffic traffic;
    private final List<String> keys;
    private final byte[][] pictures = new byte[PICTURES][];
    final ResultCheck check = new ResultCheck();
    private final Map<String, ResultCheck.Expectation> expectations = new ConcurrentHashMap<>();
    private final Map<String, Batch> batchOfTask = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> cache = new ConcurrentHashMap<>();
    final AtomicLong archivesChecked = new AtomicLong();

    ClusterTraffic(SoakTraffic traffic, List<String> keys) throws IOException {
        this.traffic = traffic;
        this.keys = keys;
        for (int i = 0; i < PICTURES; i++) {
            pictures[i] = BenchImages.encode(BenchImages.render(WIDTH, HEIGHT, 100 + i), i % 2 == 0 ? "jpeg" : "png");
        }
    }

    void step(Random random) throws InterruptedException {
        int pick = random.nextInt(100);
        String operation = pick < 30 ? "sync" : pick < 60 ? "async" : pick < 75 ? "open batch" : pick < 88
                ? "events" : "bad input";
        traffic.operations.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        String key = keys.get(random.nextInt(keys.size()));
        try {
            switch (operation) {
                case "sync" -> sync(random, key);
                case "async" -> async(random, key, "");
                case "open batch" -> openBatch(random, key);
                case "events" -> traffic.events(random.nextBoolean(), key);
                default -> traffic.badInput(random, key);
            }
        } catch (IOException e) {
            traffic.transportErrors.incrementAndGet();
        }
        Thread.sleep(random.nextInt(2 * THINK_MILLIS)); // a client's think time: the mix is not a flood
    }

    /** One upload's picture, options and what its answer must be. */
    private record Upload(byte[] image, String type, String query, ResultCheck.Expectation expected) {
    }

    private Upload upload(Random random) throws IOException {
        boolean fresh = random.nextInt(5) == 0;
        long seed = fresh ? 1000 + random.nextInt(1_000_000) : random.nextInt(PICTURES);
        byte[] image = fresh ? BenchImages.encode(BenchImages.render(WIDTH, HEIGHT, seed), "jpeg") : pictures[(int) seed];
        double scale = random.nextBoolean() ? 0.5 : 0.25;
        String op = OPS.get(random.nextInt(OPS.size()));
        String format = FORMATS.get(random.nextInt(FORMATS.size()));
        String query = "scale=" + scale + "&format=" + format + (op.isEmpty() ? "" : "&ops=" + op);
        int width = (int) (WIDTH * scale);
        int height = (int) (HEIGHT * scale);
        if (op.equals("rotate:90")) {
            int swap = width;
            width = height;
            height = swap;
        } else if (op.equals("resize:100x100") && width > 100) {
            height = height * 100 / width;
            width = 100;
        }
        String type = !fresh && seed % 2 == 1 ? "image/png" : "image/jpeg";
        return new Upload(image, type, query, new ResultCheck.Expectation(format, width, height,
                (fresh ? "fresh" : "picture") + seed + "?" + query));
    }

    private void sync(Random random, String key) throws IOException, InterruptedException {
        Upload upload = upload(random);
        HttpResponse<byte[]> response = traffic.send(traffic.post("/process?" + upload.query(), upload.image(),
                upload.type(), key));
        refusedWrongly("POST /process?" + upload.query(), response);
        if (response.statusCode() == 200) {
            cache.computeIfAbsent(response.headers().firstValue("X-Cache").orElse("none"), k -> new AtomicLong())
                    .incrementAndGet();
            check.check("POST /process?" + upload.query(), upload.expected(), response.body());
        }
    }

    private String async(Random random, String key, String batch) throws IOException, InterruptedException {
        Upload upload = upload(random);
        HttpResponse<byte[]> response = traffic.send(traffic.post("/tasks?" + upload.query() + batch,
                upload.image(), upload.type(), key));
        refusedWrongly("POST /tasks?" + upload.query(), response);
        String id = traffic.accept(response, key);
        if (id != null) {
            expectations.put(id, upload.expected());
        }
        return id;
    }

    /** An open batch of the soak: its owner, its tasks not final yet, and whether it was closed. */
    private static final class Batch {
        final String id;
        final String key;
        final java.util.Set<String> pending = new java.util.HashSet<>();
        boolean closed;

        Batch(String id, String key) {
            this.id = id;
            this.key = key;
        }

        /** Whether the batch is finished now (closed, every task final): then its archive is checked, once. */
        synchronized boolean finishedBy(String taskId, boolean closing) {
            boolean wasFinished = closed && pending.isEmpty();
            pending.remove(taskId);
            closed |= closing;
            return !wasFinished && closed && pending.isEmpty();
        }
    }

    /** A valid upload may be refused for the server's reasons (503, 429) but never as the client's fault (400). */
    private void refusedWrongly(String what, HttpResponse<byte[]> response) {
        if (response.statusCode() == 400 || response.statusCode() == 415 || response.statusCode() == 422) {
            check.violations.add(what + ": a valid upload answered " + response.statusCode() + " "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private void openBatch(Random random, String key) throws IOException, InterruptedException {
        HttpResponse<byte[]> opened = traffic.send(traffic.post("/batches", new byte[0], "application/json", key));
        if (opened.statusCode() != 201) {
            return;
        }
        Batch batch = new Batch(JSON.readTree(opened.body()).path("id").asText(), key);
        for (int i = 0; i < 3; i++) {
            // The id is registered before the tracker can see the task final.
            synchronized (batch) {
                String id = async(random, key, "&batch=" + batch.id + "&filename=f" + i + ".img");
                if (id != null) {
                    batch.pending.add(id);
                    batchOfTask.put(id, batch);
                }
            }
        }
        if (traffic.send(traffic.post("/batches/" + batch.id + "/close", new byte[0], "application/json", key))
                .statusCode() == 200 && batch.finishedBy(null, true)) {
            checkArchive(batch);
        }
    }

    /**
     * Called once per accepted task when it is final: a done task's result is fetched twice and checked, and a
     * closed batch whose last task this was is downloaded as a ZIP. A 502/503/504 (a front or Redis away for a
     * moment) is asked again for up to 30 s before it counts as a wrong answer.
     */
    void onFinal(String id, String state) {
        ResultCheck.Expectation expected = expectations.remove(id);
        String key = traffic.ownerKeys.get(id);
        try {
            if (expected != null && state.equals("done")) {
                for (int fetch = 1; fetch <= 2; fetch++) {
                    HttpResponse<byte[]> result = patiently("/tasks/" + id + "/result", key);
                    if (result.statusCode() != 200) {
                        check.violations.add("task " + id + " is done but its result answered " + result.statusCode());
                        break;
                    }
                    check.check("task " + id + " result, fetch " + fetch, expected, result.body());
                }
            }
            Batch batch = batchOfTask.remove(id);
            if (batch != null && batch.finishedBy(id, false)) {
                checkArchive(batch);
            }
        } catch (IOException e) {
            traffic.transportErrors.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> patiently(String path, String key) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                HttpResponse<byte[]> response = traffic.send(traffic.get(path, key));
                if (response.statusCode() < 502 || response.statusCode() > 504 || System.nanoTime() > deadline) {
                    return response;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(1000); // a retry period while a front or Redis comes back, not a synchronisation
        }
    }

    /** Downloads a finished batch's archive and checks that it holds one image per done task. */
    private void checkArchive(Batch batch) throws IOException, InterruptedException {
        JsonNode json = JSON.readTree(patiently("/batches/" + batch.id, batch.key).body());
        HttpResponse<byte[]> archive = patiently("/batches/" + batch.id + "/archive", batch.key);
        int images = archive.statusCode() == 200 ? images(archive.body()) : -1;
        if (images != json.path("done").asInt()) {
            check.violations.add("batch " + batch.id + ": archive answered " + archive.statusCode() + " with "
                    + images + " images for " + json.path("done").asInt() + " done tasks: " + json);
        }
        archivesChecked.incrementAndGet();
    }

    private static int images(byte[] zip) throws IOException {
        int images = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (!entry.getName().endsWith("manifest.json") && in.readAllBytes().length > 0) {
                    images++;
                }
            }
        }
        return images;
    }
}
