package io.graypipe.bench.jmh;

import io.graypipe.bench.BenchImages;
import io.graypipe.front.image.DecodedImage;
import io.graypipe.front.image.GrayscaleDecoder;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ImageSource;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.ImageEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The three image kernels on the benchmark inputs: decode to gray (front), scale, encode (worker child).
 * Inputs come from {@link BenchImages}, cached under {@code -Dgraypipe.bench.cache} (default: the temp dir).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KernelBenchmarks {
    @Param({"JPEG_4K", "JPEG_1080P", "PNG_4K"})
    public BenchImages.Kind input;

    @Param({"0.5"})
    public double scale;

    private GrayscaleDecoder decoder;
    private byte[] encoded;
    private ImageData gray;
    private ImageData scaled;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path cache = Path.of(System.getProperty("graypipe.bench.cache",
                System.getProperty("java.io.tmpdir") + "/graypipe-bench-images"));
        Map<BenchImages.Kind, Path> files = BenchImages.ensure(cache, BenchImages.DEFAULT_SEED);
        encoded = Files.readAllBytes(files.get(input));
        decoder = new GrayscaleDecoder(new ImageLimits(100_000_000L, 20_000));
        gray = decoder.decode(ImageSource.of(encoded)).gray();
        scaled = AreaAverageScaler.scale(gray, scale);
    }

    /** Front: encoded upload to a GRAY8 raster. */
    @Benchmark
    public DecodedImage decodeToGray() {
        return decoder.decode(ImageSource.of(encoded));
    }

    /** Child: area-average downscale of the gray raster. */
    @Benchmark
    public ImageData scale() {
        return AreaAverageScaler.scale(gray, scale);
    }

    /** Child: JPEG q85 of the scaled raster, the default output. */
    @Benchmark
    public byte[] encodeJpeg() {
        return ImageEncoder.encode(scaled, OutputFormat.JPEG, 85);
    }

    @Benchmark
    public byte[] encodePng() {
        return ImageEncoder.encode(scaled, OutputFormat.PNG, 85);
    }
}
