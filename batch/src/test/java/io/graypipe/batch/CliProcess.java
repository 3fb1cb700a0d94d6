package io.graypipe.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The folder CLI run as its own JVM, as scripts/batch runs it, from the test class path (which also holds the
 * front's classes, so {@code --front-classpath} can point the CLI at them). Output (stdout and stderr) goes to a file.
 */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final Path outputFile;

    private CliProcess(Process process, Path outputFile) {
        this.process = process;
        this.outputFile = outputFile;
    }

    static CliProcess start(String... args) throws IOException {
        Path outputFile = Files.createTempFile("graypipe-batch-cli", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BatchMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(outputFile.toFile()).start();
        return new CliProcess(process, outputFile);
    }

    /** Runs the CLI to its end (at most five minutes) and returns its exit status. */
    static CliProcess run(String... args) throws IOException, InterruptedException {
        CliProcess cli = start(args);
        cli.awaitExit();
        return cli;
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the CLI did not finish within 5 minutes:\n" + output());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    Process process() {
        return process;
    }

    String output() {
        try {
            return Files.readString(outputFile);
        } catch (IOException e) {
            return "[output unreadable: " + e + "]";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(outputFile);
    }
}
