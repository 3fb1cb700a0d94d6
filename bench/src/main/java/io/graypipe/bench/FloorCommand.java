package io.graypipe.bench;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.ImageEncoder;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * CLI: the in-process TurboJPEG floor of {@code scripts/bench --peers}. One process, no HTTP, {@code --threads}
 * closed loops over the same image: libjpeg-turbo decodes straight to gray at the DCT scale shrink-on-load picks,
 * graypipe's exact area average finishes to max(1, floor(n·scale)), and the result is encoded as a gray JPEG.
 * This is what the hardware can do with graypipe's kernels and none of its tiers.
 */
@Command(name = "floor", mixinStandardHelpOptions = true,
        description = "Decode, scale and encode JPEGs in this process on all cores, and measure images/s.")
final class FloorCommand implements Callable<Integer> {
    /** The encoder of the floor's last step. */
    enum Encoder { turbojpeg, imageio }

    @Parameters(index = "0", description = "JPEG file to process.")
    Path input;

    @Option(names = "--scale", description = "Scale factor in (0, 1] (default: ${DEFAULT-VALUE}).")
    double scale = 0.5;

    @Option(names = "--quality", description = "JPEG output quality (default: ${DEFAULT-VALUE}).")
    int quality = 85;

    @Option(names = {"-t", "--threads"}, description = "Closed loops (default: the number of processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--encoder", description = "turbojpeg (tjCompress2, graypipe's worker encoder) or imageio (the worker's encoder without libturbojpeg)"
            + " (default: ${DEFAULT-VALUE}).")
    Encoder encoder = Encoder.turbojpeg;

    @Option(names = "--library", description = "TurboJPEG library (default: ${DEFAULT-VALUE}).")
    String library = TurboJpeg.DEFAULT_LIBRARY;

    @Option(names = {"-d", "--duration"}, description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double durationSeconds = 10;

    @Option(names = "--warmup", description = "Warm-up seconds, not measured (default: ${DEFAULT-VALUE}).")
    double warmupSeconds = 3;

    @CommandLine.Mixin
    ResultOptions output = new ResultOptions();

    @Override
    public Integer call() throws Exception {
        StringBuilder whyNot = new StringBuilder();
        TurboJpeg turbo = TurboJpeg.load(library, whyNot)
                .orElseThrow(() -> new IllegalStateException(library + " could not be loaded: " + whyNot));
        byte[] jpeg = Files.readAllBytes(input);
        LoadSchedule schedule = new LoadSchedule((long) (warmupSeconds * 1e9), 0,
                (long) (durationSeconds * 1e9), Long.MAX_VALUE, null);
        List<ClosedLoop> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            loops.add(new ClosedLoop("floor-" + i, schedule) {
                @Override
                ClosedLoop.Outcome once() {
                    try {
                        return ClosedLoop.Outcome.ok(process(turbo, jpeg).length);
                    } catch (TurboJpeg.TurboJpegException | RuntimeException e) {
                        return ClosedLoop.Outcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                }
            });
        }
        loops.forEach(Thread::start);
        for (Thread loop : loops) {
            loop.join();
        }
        output.report(ClosedLoop.result(output.scenario, output.tags, "in-process", "-", input, jpeg.length, scale,
                "jpeg", quality, schedule, loops, null, true));
        return 0;
    }

    /** One image: shrink-on-load decode, exact area-average finish, gray JPEG encode. */
    byte[] process(TurboJpeg turbo, byte[] jpeg) throws TurboJpeg.TurboJpegException {
        TurboJpeg.Gray gray = turbo.decodeGray(jpeg, jpeg.length, scale);
        ImageData scaled = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, gray.width(), gray.height(),
                gray.pixels()), ScaleRequest.targetSize(gray.fullWidth(), scale),
                ScaleRequest.targetSize(gray.fullHeight(), scale));
        return encoder == Encoder.turbojpeg
                ? turbo.encodeGray(scaled.data(), scaled.width(), scaled.height(), quality)
                : ImageEncoder.encode(scaled, OutputFormat.JPEG, quality);
    }
}
