package io.graypipe.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The folder CLI as a user runs it: its own JVM, against a real front (a FrontProcess shared by the tests, driven
 * with --url) or the front it starts itself.
 */
class BatchCliTest {
    private static FrontProcess front;

    @TempDir
    Path dir;

    @BeforeAll
    static void startFront() throws IOException {
        front = FrontProcess.builder().listenOn("localhost", 2).args("--worker-mode", "threads", "-n", "2").start();
    }

    @AfterAll
    static void stopFront() {
        if (front != null) {
            front.close();
        }
    }

    /** The front's IPv4 address, {@code http://127.0.0.1:PORT}. */
    private static String url() {
        return base("127.0.0.1");
    }

    private static String base(String hostPart) {
        String uri = front.uri(hostPart, "/").toString();
        return uri.substring(0, uri.length() - 1);
    }

    /** photos/a.jpg, photos/sub/b.png, photos/sub/deeper/c.gif, a corrupt JPEG and a text file among them. */
    private Path mixedFolder() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos/sub/deeper"));
        Path input = dir.resolve("photos");
        Files.write(input.resolve("a.jpg"), TestImages.jpeg(320, 200));
        Files.write(input.resolve("sub/b.png"), TestImages.png(200, 120));
        Files.write(input.resolve("sub/deeper/c.gif"), TestImages.write(TestImages.photo(90, 60), "gif"));
        Files.write(input.resolve("sub/deeper/broken.jpg"), TestImages.truncated(TestImages.jpeg(640, 480)));
        Files.writeString(photos.resolve("notes.txt"), "not an image, whatever its name says");
        return input;
    }

    @Test
    void nestedFolderWithBadFilesExitsOneListsThemAndResumesWithNoWork() throws Exception {
        Path input = mixedFolder();
        Path output = dir.resolve("out");
        CliProcess first = CliProcess.run(input.toString(), output.toString(), "--url", base("[::1]"));
        assertEquals(1, first.exitCode(), first.output());
        assertTrue(first.output().contains("sub/deeper/broken.jpg"), first.output());
        assertTrue(first.output().contains("sub/deeper/notes.txt"), first.output());

        Map<String, FileTime> written = outputs(output);
        assertEquals(List.of("gray/a.jpg", "gray/sub/b.png", "gray/sub/deeper/c.gif.png"),
                List.copyOf(written.keySet()));
        assertEquals(100, TestImages.decode(Files.readAllBytes(output.resolve("gray/sub/b.png"))).getWidth());
        JsonNode report = FrontClient.JSON.readTree(output.resolve("report.json").toFile());
        assertEquals("sub/deeper/broken.jpg", report.at("/failures/0/file").asText());
        assertEquals("undecodable_image", report.at("/failures/0/code").asText());
        assertEquals("sub/deeper/notes.txt", report.at("/not_images/0").asText());
        assertEquals(3, report.at("/passes/0/succeeded").asInt());

        CliProcess again = CliProcess.run(input.toString(), output.toString(), "--url", url(), "--skip-existing");
        assertEquals(1, again.exitCode(), again.output());
        JsonNode resumed = FrontClient.JSON.readTree(output.resolve("report.json").toFile());
        assertEquals(0, resumed.at("/passes/0/succeeded").asInt(), "nothing is sent again");
        assertEquals(3, resumed.at("/passes/0/skipped_existing").asInt());
        assertEquals("sub/deeper/broken.jpg", resumed.at("/failures/0/file").asText());
        assertEquals(written, outputs(output), "no output was rewritten");
    }

    @Test
    void webpAndAutoNameEachOutputAfterTheFormatTheFrontWrote() throws Exception {
        String formats = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                front.uri("127.0.0.1", "/formats")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        ExternalTools.require(formats.contains("\"avif\"]") || formats.contains("\"avif\","), "GRAYPIPE_REQUIRE_AVIF_TOOLS",
                "the worker cannot encode AVIF: install Debian's libavif15 (GET /formats: " + formats + ")");
        Path input = Files.createDirectories(dir.resolve("in/sub"));
        Files.write(input.resolve("a.jpg"), TestImages.jpeg(160, 100));
        Files.write(input.resolve("b.png"), TestImages.png(100, 60));
        Path output = dir.resolve("out");
        CliProcess auto = CliProcess.run(dir.resolve("in").toString(), output.toString(), "--url", url(), "--format", "auto");
        assertEquals(0, auto.exitCode(), auto.output());
        CliProcess webp = CliProcess.run(dir.resolve("in").toString(), output.toString(), "--url", base("[::1]"),
                "--format", "webp");
        assertEquals(0, webp.exitCode(), webp.output());
        assertEquals(List.of("gray/sub/a.jpg.avif", "gray/sub/a.jpg.webp", "gray/sub/b.png.avif", "gray/sub/b.png.webp"),
                List.copyOf(outputs(output).keySet()));
        assertTrue(new String(Files.readAllBytes(output.resolve("gray/sub/a.jpg.avif")), 4, 8,
                java.nio.charset.StandardCharsets.US_ASCII).startsWith("ftypavif"), "an AVIF file");
        CliProcess again = CliProcess.run(dir.resolve("in").toString(), output.toString(), "--url", url(),
                "--format", "auto", "--skip-existing");
        assertEquals(0, again.exitCode(), again.output());
        assertEquals(2, FrontClient.JSON.readTree(output.resolve("report.json").toFile())
                .at("/passes/0/skipped_existing").asInt(), "auto finds the outputs it wrote");
    }

    @Test
    void theEmbeddedFrontProcessesAFolderAndIsStoppedAfterwards() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in/x"));
        Files.write(input.resolve("one.jpg"), TestImages.jpeg(160, 100));
        Files.write(input.resolve("two.bin"), TestImages.png(100, 100));
        Path output = dir.resolve("out");
        Path leftover = Files.createDirectories(output.resolve("gray/x")).resolve(".old.png" + OutputLayout.TEMPORARY_SUFFIX);
        Files.writeString(leftover, "a partial file a killed run left");

        List<ProcessHandle> started = new ArrayList<>();
        try (CliProcess cli = CliProcess.start(dir.resolve("in").toString(), output.toString(), "--format", "png",
                "--front-classpath", System.getProperty("java.class.path"))) {
            Await.until(Duration.ofSeconds(120), "the CLI to start a front", () -> {
                started.addAll(cli.process().descendants().toList());
                return !started.isEmpty() || !cli.process().isAlive();
            });
            assertEquals(0, cli.awaitExit(), cli.output());
        }
        assertEquals(List.of("gray/x/one.jpg.png", "gray/x/two.bin.png"), List.copyOf(outputs(output).keySet()));
        assertFalse(Files.exists(leftover), "a killed run's temporary file is removed");
        assertTrue(FrontClient.JSON.readTree(output.resolve("report.json").toFile()).get("front").asText()
                .endsWith("(started by this run)"));
        assertFalse(started.isEmpty(), "the CLI started a front");
        assertEquals(List.of(), started.stream().filter(ProcessHandle::isAlive).toList(),
                "the front the CLI started, and its worker, are stopped");
    }

    @Test
    void usageErrorsExitTwoAndWriteNothing() throws Exception {
        Path input = mixedFolder();
        CliProcess inside = CliProcess.run(input.toString(), input.resolve("sub/out").toString(), "--url", url());
        assertEquals(2, inside.exitCode(), inside.output());
        assertTrue(inside.output().contains("is inside INPUT_DIR"), inside.output());
        assertFalse(Files.exists(input.resolve("sub/out")));

        CliProcess badScale = CliProcess.run(input.toString(), dir.resolve("out").toString(), "--url", url(),
                "--scale", "2");
        assertEquals(2, badScale.exitCode(), badScale.output());
        assertTrue(badScale.output().contains("--scale"), badScale.output());

        CliProcess noInput = CliProcess.run(dir.resolve("missing").toString(), dir.resolve("out").toString(),
                "--url", url());
        assertEquals(2, noInput.exitCode(), noInput.output());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void eachOpsIsAVariantFolderTheFrontFilled() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in"));
        Files.write(input.resolve("p.png"), TestImages.png(80, 60));
        Path output = dir.resolve("out");
        CliProcess cli = CliProcess.run(input.toString(), output.toString(), "--url", url(), "--ops", "sepia",
                "--ops", "blur:2,contrast:1.5");
        assertEquals(0, cli.exitCode(), cli.output());
        assertEquals(List.of("blur-2_contrast-1.5/p.png", "sepia/p.png"), List.copyOf(outputs(output).keySet()));
        assertEquals(3, TestImages.decode(Files.readAllBytes(output.resolve("sepia/p.png"))).getColorModel()
                .getNumColorComponents(), "the front applied sepia");
    }

    /** A rerun with one more variant, against a front with its result cache on, recomputes only that variant. */
    @Test
    void aRerunWithOneMoreVariantIsAnsweredFromTheCacheButForTheNewOne() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in"));
        Files.write(input.resolve("p.png"), TestImages.png(80, 60));
        Files.write(input.resolve("q.jpg"), TestImages.jpeg(90, 70));
        Path data = dir.resolve("data");
        try (FrontProcess caching = FrontProcess.builder().dataDir(data)
                .args("--worker-mode", "threads", "-n", "1", "--cache-size", "268435456").start()) {
            String url = caching.uri("/").toString().replaceAll("/$", "");
            CliProcess first = CliProcess.run(input.toString(), dir.resolve("out1").toString(), "--url", url,
                    "--ops", "sepia");
            assertEquals(0, first.exitCode(), first.output());
            Await.until(Duration.ofSeconds(10), "both results in the cache", () -> files(data.resolve("cache")) == 2);

            Path output = dir.resolve("out2");
            CliProcess rerun = CliProcess.run(input.toString(), output.toString(), "--url", url, "--ops", "sepia",
                    "--ops", "invert");
            assertEquals(0, rerun.exitCode(), rerun.output());
            JsonNode report = FrontClient.JSON.readTree(output.resolve("report.json").toFile());
            assertEquals("sepia", report.at("/passes/0/variant").asText());
            assertEquals(2, report.at("/passes/0/cache_hits").asInt(), report.toString());
            assertEquals(0, report.at("/passes/1/cache_hits").asInt(), "the new variant is computed");
            assertTrue(rerun.output().contains("cache hits"), rerun.output());
        }
    }

    private static long files(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void anInterruptedRunLeavesNoPartialFileAndResumes() throws Exception {
        Path input = Files.createDirectories(dir.resolve("many"));
        byte[] image = TestImages.jpeg(TestImages.noisyPhoto(1200, 900, 7), 0.9f, false);
        for (int i = 0; i < 40; i++) {
            Files.write(input.resolve(String.format("img-%02d.jpg", i)), image);
        }
        Path output = dir.resolve("out");
        try (CliProcess cli = CliProcess.start(input.toString(), output.toString(), "--url", url(),
                "--concurrency", "2")) {
            Await.until(Duration.ofSeconds(120), "a few outputs written", () -> outputs(output).size() >= 3);
            cli.process().destroy();
            cli.awaitExit();
            assertTrue(cli.output().contains("Interrupted"), cli.output());
        }
        try (Stream<Path> files = Files.walk(output)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(OutputLayout.TEMPORARY_SUFFIX)).toList());
        }
        Map<String, FileTime> partial = outputs(output);
        assertTrue(partial.size() < 40, "the run stopped early: " + partial.size());
        for (String name : partial.keySet()) {
            assertEquals(600, TestImages.decode(Files.readAllBytes(output.resolve(name))).getWidth(), name);
        }
        JsonNode report = FrontClient.JSON.readTree(output.resolve("report.json").toFile());
        assertTrue(report.get("interrupted").asBoolean());
        assertEquals(40 - partial.size(), report.at("/passes/0/not_done").asInt());

        CliProcess resume = CliProcess.run(input.toString(), output.toString(), "--url", url(), "--skip-existing");
        assertEquals(0, resume.exitCode(), resume.output());
        assertEquals(40, outputs(output).size());
        assertEquals(partial.size(), FrontClient.JSON.readTree(output.resolve("report.json").toFile())
                .at("/passes/0/skipped_existing").asInt());
    }

    /** Output images (report.json aside) by path relative to {@code output}, with their modification times. */
    private static Map<String, FileTime> outputs(Path output) {
        Map<String, FileTime> files = new TreeMap<>();
        if (!Files.isDirectory(output)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(output)) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                String name = output.relativize(file).toString();
                if (Files.isRegularFile(file) && !name.equals("report.json")
                        && !name.endsWith(OutputLayout.TEMPORARY_SUFFIX)) {
                    files.put(name, Files.getLastModifiedTime(file));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // A file renamed or removed while walking (the walk's iterator throws it unchecked): the caller looks again.
        }
        return files;
    }
}
