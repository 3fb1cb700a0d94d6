package io.graypipe.front.http;

import io.graypipe.front.testing.ExternalTools;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page at {@code /} in a real headless chromium, driven by playwright-core from node: two images and one
 * bad file go up as one batch in two variants (plain and sepia) and both modes; the page must show a result per
 * image, variant and mode, one error, the threads-against-processes table, and "Download all" must give the
 * batch's ZIP with one folder per mode and variant. Skipped where chromium, node or the
 * browser test's node_modules are missing (see docs/observability.md for the install commands).
 */
class BrowserPageTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    private static final Path ARTIFACTS = Path.of("target/test-artifacts");

    @Test
    void twoVariantsInBothModesGoThroughThePageAndDownloadAsOneZip() throws Exception {
        Path node = requireBrowser();
        Path inputs = Files.createTempDirectory("graypipe-page");
        Path first = Files.write(inputs.resolve("sunset.png"), TestImages.png(320, 240));
        Path second = Files.write(inputs.resolve("harbour.jpg"), TestImages.jpeg(400, 300));
        Path bad = Files.write(inputs.resolve("notes.txt"), "this is not an image".getBytes(StandardCharsets.UTF_8));
        Path screenshot = ARTIFACTS.resolve("page.png").toAbsolutePath();
        Path zip = ARTIFACTS.resolve("page-archive.zip").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(zip);

        try (TestFront front = TestFront.builder().workerMode("processes").processes(2).start()) {
            List<String> command = new ArrayList<>(List.of(node.toString(), "page.test.mjs", front.base().toString(),
                    screenshot.toString(), inputs.resolve("profile").toString(), zip.toString()));
            for (Path file : new Path[]{first, second, bad}) {
                command.add(file.toString());
            }
            String log = runScript(command, "page-test.log");
            assertTrue(log.contains("\"results\":8"), log);
            assertTrue(Files.size(screenshot) > 10_000, "screenshot missing or empty");
            List<String> entries = new ArrayList<>();
            try (ZipFile archive = new ZipFile(zip.toFile())) {
                for (ZipEntry entry : Collections.list(archive.entries())) {
                    entries.add(entry.getName());
                    if (!entry.getName().equals("manifest.json")) {
                        byte[] image = archive.getInputStream(entry).readAllBytes();
                        assertTrue(TestImages.decode(image).getWidth() > 0, entry.getName());
                    }
                }
            }
            List<String> expected = new ArrayList<>(List.of("manifest.json"));
            for (String mode : List.of("processes", "threads")) {
                for (String variant : List.of("gray", "sepia")) {
                    expected.add(mode + "/" + variant + "/harbour.jpg");
                    expected.add(mode + "/" + variant + "/sunset.png");
                }
            }
            Collections.sort(entries);
            Collections.sort(expected);
            assertEquals(expected, entries, log);
        }
    }

    /**
     * {@code /docs} (Swagger UI) renders from the front alone (the script fails on any request for another host),
     * and "Try it out" on {@code POST /process} with a file shows status 200 and an image content type.
     */
    @Test
    void docsRenderFromTheFrontAloneAndTryItOutProcessesAnUpload() throws Exception {
        Path node = requireBrowser();
        Path inputs = Files.createTempDirectory("graypipe-docs");
        Path image = Files.write(inputs.resolve("harbour.png"), TestImages.png(200, 150));
        Path screenshot = ARTIFACTS.resolve("docs.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (TestFront front = TestFront.builder().start()) {
            String log = runScript(List.of(node.toString(), "docs.test.mjs", front.base().toString(), image.toString(),
                    screenshot.toString(), inputs.resolve("profile").toString()), "docs-test.log");
            assertTrue(log.contains("\"status\":\"200\""), log);
            assertTrue(log.contains("\"elsewhere\":[]"), log);
            assertTrue(Files.size(screenshot) > 10_000, "screenshot missing or empty");
        }
    }

    /** The node binary, once chromium and the test's node_modules are there; skips or fails as ExternalTools says. */
    private static Path requireBrowser() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        String required = "GRAYPIPE_REQUIRE_BROWSER";
        ExternalTools.require(Files.isExecutable(chromium), required,
                "no chromium at " + chromium + " (apt-get install -y chromium)");
        Path node = onPath("node");
        ExternalTools.require(node != null, required, "node is not on PATH");
        ExternalTools.require(Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")), required,
                "run npm ci in " + BROWSER_DIR);
        Files.createDirectories(ARTIFACTS);
        return node;
    }

    /** Runs a browser script to its end (5 minutes at most) and returns its output; it must exit 0. */
    private static String runScript(List<String> command, String logName) throws Exception {
        Process run = new ProcessBuilder(command).directory(BROWSER_DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(ARTIFACTS.resolve(logName).toFile()).start();
        boolean ended = run.waitFor(300, TimeUnit.SECONDS);
        if (!ended) {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
        String log = Files.readString(ARTIFACTS.resolve(logName));
        assertTrue(ended, "the browser test did not finish:\n" + log);
        assertEquals(0, run.exitValue(), log);
        return log;
    }

    private static Path onPath(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst().orElse(null);
    }
}
