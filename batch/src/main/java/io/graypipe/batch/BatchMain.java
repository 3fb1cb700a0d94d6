package io.graypipe.batch;

import io.graypipe.protocol.SafeText;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpChainException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code scripts/batch}: processes a whole folder tree through graypipe. */
@Command(name = "batch", sortOptions = false, usageHelpWidth = 110,
        description = {
                "Sends every image under INPUT_DIR (JPEG, PNG, GIF, BMP, WebP or AVIF, recognised by its bytes, never its name)"
                        + " through graypipe and writes OUTPUT_DIR/<variant>/<same relative path>, one folder per"
                        + " variant (with --mode both: OUTPUT_DIR/<mode>/<variant>/...). Other files are skipped and"
                        + " listed. Prints progress, then a summary table that also goes to OUTPUT_DIR/report.json.",
                "Without --url it starts graypipe itself on 127.0.0.1 and a free port, and stops it at the end.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:every image succeeded",
                "1:some images failed (the others are written; failures are listed with the server's error), or the front could not be started or reached",
                "2:usage error: bad option, missing INPUT_DIR, OUTPUT_DIR inside INPUT_DIR, parameters the front refuses",
                "130:interrupted by Ctrl-C: uploads in flight finished, no partial file left, summary printed"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/batch photos/ out/                          # gray, half size: out/gray/...",
                "  scripts/batch photos/ out/ --scale 0.25 --format png --skip-existing",
                "  scripts/batch photos/ out/ --ops sepia --ops blur:2,contrast:1.5 --mode both",
                "  scripts/batch photos/ out/ --url 'http://[::1]:8080' --concurrency 8"})
public final class BatchMain implements Callable<Integer> {
    enum Mode {
        processes, threads, both
    }

    enum Format {
        jpeg, png, webp, avif, auto
    }

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "INPUT_DIR", description = "Folder to read, recursively. Never written.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUTPUT_DIR",
            description = "Folder to write; created if missing. Must not be inside INPUT_DIR (nor contain it).")
    Path output;

    @Option(names = "--ops", paramLabel = "CHAIN",
            description = {"An op chain, one variant per --ops, each written to its own folder, e.g. --ops sepia"
                    + " --ops blur:2,contrast:1.5 (folders sepia/ and blur-2_contrast-1.5/). None: gray/.",
                    "Needs a front that applies ops (it answers GET /ops)."})
    List<String> ops = new ArrayList<>();

    @Option(names = "--scale", paramLabel = "S", defaultValue = "0.5",
            description = "Scale factor, 0 < S <= 1 (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--format", paramLabel = "jpeg|png|webp|avif|auto",
            description = "Output format (default: the input's when JPEG, otherwise png). webp and avif need the worker's libwebp or libavif; auto takes AVIF, else WebP, else the default, whichever the front can write, and names each output after the format it got.")
    Format format;

    @Option(names = "--quality", paramLabel = "Q", description = "JPEG quality 1-100 (default: the front's, 85).")
    Integer quality;

    @Option(names = "--mode", paramLabel = "processes|threads|both",
            description = {"Where the worker runs the images: child processes, threads, or both one after the other"
                    + " (then OUTPUT_DIR/<mode>/<variant>/ and a threads/processes ratio in the summary).",
                    "Default: the worker's own mode. Needs a front that takes mode (it answers GET /ops)."})
    Mode mode;

    @Option(names = "--url", paramLabel = "URL",
            description = "Drive a running front instead of starting one, e.g. http://127.0.0.1:8080 or http://[::1]:8080.")
    URI url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:GRAYPIPE_API_KEY}",
            description = "API key for a front started with --api-keys (default: $GRAYPIPE_API_KEY, else none).")
    String apiKey;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Images in flight at most (default: twice the worker's slots, from the front's GET /stats).")
    Integer concurrency;

    @Option(names = "--skip-existing",
            description = "Keep outputs that already exist and do not send their images again: resumes an interrupted run.")
    boolean skipExisting;

    @Option(names = "--front-classpath", paramLabel = "PATH",
            description = "Class path of the front to start when there is no --url (scripts/batch passes"
                    + " front-server/target/graypipe.jar). Its JVM options come from GRAYPIPE_JVM_OPTIONS"
                    + " (default: " + EmbeddedFront.DEFAULT_JVM_OPTIONS + "), as for scripts/run.")
    String frontClassPath;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BatchMain()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cli, parsed) -> {
                    // A front that cannot be started or reached fails every image: status 1, with the cause.
                    cli.getErr().println("batch: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BatchConfig config = toConfig();
        PrintStream out = System.out;
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            if (finished.getCount() > 0) {
                stopping.set(true);
                System.err.println("\nstopping: no new uploads; waiting for those in flight to finish...");
                try {
                    finished.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "batch-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try (EmbeddedFront embedded = config.front() == null
                ? EmbeddedFront.start(config.frontClassPath(), jvmOptions()) : null) {
            FrontClient front = new FrontClient(embedded != null ? embedded.address() : config.front(), apiKey);
            return run(config, front, embedded, stopping, out);
        } catch (BatchUsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } finally {
            finished.countDown();
        }
    }

    private int run(BatchConfig config, FrontClient front, EmbeddedFront embedded, AtomicBoolean stopping,
                    PrintStream out) throws IOException, InterruptedException, BatchUsageException {
        boolean needsFilters = config.passes().stream().anyMatch(p -> p.chain() != null || p.mode() != null);
        int workerSlots;
        boolean appliesOps;
        try {
            workerSlots = front.workerSlots();
            appliesOps = front.supportsOps();
        } catch (IOException e) {
            throw new IOException("cannot reach the front at " + front.base() + ": " + e, e);
        }
        if (needsFilters && !appliesOps) {
            throw new BatchUsageException("the front at " + front.base() + " does not apply --ops or --mode yet"
                    + " (it has no GET /ops); run without them, or update graypipe");
        }
        int inFlight = config.concurrency() != null ? config.concurrency() : 2 * workerSlots;
        BatchRun run = new BatchRun(config, front, embedded == null ? null : new CpuMeter(embedded.process()),
                stopping::get);
        BatchRun.Scan scan = run.scan();
        String frontDescription = front.base() + (embedded != null ? " (started by this run)" : "");
        System.err.printf("%d images in %s (%d other files skipped), %d pass(es), %d in flight, front %s%n",
                scan.images(), config.input(), scan.notImages().size(), config.passes().size(), inFlight,
                frontDescription);
        BatchReport report;
        try (Progress progress = Progress.on(System.err, System.console() != null,
                scan.images() * config.passes().size())) {
            report = run.run(scan, inFlight, progress, frontDescription);
        }
        Files.createDirectories(config.output());
        FrontClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(config.output().resolve("report.json").toFile(), report);
        print(report, out);
        return report.failures().isEmpty() ? 0 : 1;
    }

    private static void print(BatchReport report, PrintStream out) {
        if (!report.notImages().isEmpty()) {
            out.println("Skipped, not an image (JPEG, PNG, GIF, BMP, WebP or AVIF by their bytes):");
            report.notImages().forEach(file -> out.println("  " + SafeText.forLog(file)));
        }
        if (!report.failures().isEmpty()) {
            out.println("Failed:");
            // The code and message come from the server, the file name from the disk: neither may move the cursor,
            // clear the screen or add a line to the summary (terminal escapes and line ends are shown escaped).
            report.failures().forEach(f -> out.printf("  %s  %s: %s: %s%n", f.pass(), SafeText.forLog(f.file()),
                    SafeText.forLog(f.code()), SafeText.forLog(f.message())));
        }
        if (report.interrupted()) {
            out.println("Interrupted: images not sent are counted under \"not done\"; rerun with --skip-existing to finish.");
        }
        out.print(SummaryTable.render(report));
    }

    private BatchConfig toConfig() {
        CommandLine cli = spec.commandLine();
        if (!Files.isDirectory(input)) {
            throw new ParameterException(cli, "INPUT_DIR " + input + " is not a folder");
        }
        if (!(scale > 0 && scale <= 1)) {
            throw new ParameterException(cli, "--scale must be > 0 and <= 1, not " + scale);
        }
        if (quality != null && (quality < 1 || quality > 100)) {
            throw new ParameterException(cli, "--quality must be 1..100, not " + quality);
        }
        if (concurrency != null && concurrency < 1) {
            throw new ParameterException(cli, "--concurrency must be at least 1, not " + concurrency);
        }
        if (url == null && frontClassPath == null) {
            throw new ParameterException(cli, "no --url and no --front-classpath: give the front to use or to start"
                    + " (scripts/batch sets --front-classpath)");
        }
        if (url != null && (url.getHost() == null || !"http".equals(url.getScheme()))) {
            throw new ParameterException(cli, "--url must be http://HOST:PORT, e.g. http://[::1]:8080, not " + url);
        }
        Path in;
        Path out;
        try {
            in = input.toRealPath();
            out = realPathOfMaybeMissing(output);
        } catch (IOException e) {
            throw new ParameterException(cli, "cannot resolve INPUT_DIR or OUTPUT_DIR: " + e.getMessage());
        }
        if (out.startsWith(in)) {
            throw new ParameterException(cli, "OUTPUT_DIR " + output + " is inside INPUT_DIR " + input
                    + ": graypipe never writes into the input folder; choose an output folder outside it");
        }
        if (in.startsWith(out)) {
            throw new ParameterException(cli, "INPUT_DIR " + input + " is inside OUTPUT_DIR " + output
                    + ": the outputs could overwrite inputs; choose an output folder outside the input");
        }
        List<String> chains = new ArrayList<>();
        for (String chain : ops.isEmpty() ? Arrays.asList((String) null) : ops) {
            try {
                chains.add(chain == null || chain.isBlank() ? null : OpChain.parse(chain.strip()).toString());
            } catch (OpChainException e) {
                throw new ParameterException(cli, "--ops " + chain + ": " + e.getMessage());
            }
        }
        List<String> modes = mode == null ? Arrays.asList((String) null)
                : mode == Mode.both ? List.of("processes", "threads") : List.of(mode.name());
        List<Pass> passes = new ArrayList<>();
        for (String passMode : modes) {
            for (String chain : chains) {
                passes.add(new Pass(passMode, chain));
            }
        }
        return new BatchConfig(in, out, List.copyOf(passes), mode == Mode.both, scale,
                format == null ? null : format.name().toLowerCase(Locale.ROOT), quality, url, frontClassPath,
                concurrency, skipExisting);
    }

    /** The real path of {@code path}, resolving the part that exists (symbolic links included) and appending the rest. */
    private static Path realPathOfMaybeMissing(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }

    private static String jvmOptions() {
        String options = System.getenv("GRAYPIPE_JVM_OPTIONS");
        return options == null || options.isBlank() ? EmbeddedFront.DEFAULT_JVM_OPTIONS : options;
    }
}
