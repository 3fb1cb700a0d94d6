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
 *
 * NOT COMPILED YET: this file lives outside the Maven source path (src/kernels/java) because the kernel classes
 * are on another branch. To enable it once they are merged: move it to bench/src/main/java/io/graypipe/bench/jmh/,
 * and add front-server and scale-worker as dependencies of bench/pom.xml (front-server needs a version in the
 * root pom's dependencyManagement).
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
    public Object encodeJpeg() throws Exception {
        return ImageEncoder.encode(scaled, OutputFormat.JPEG, 85);
    }

    @Benchmark
    public Object encodePng() throws Exception {
        return ImageEncoder.encode(scaled, OutputFormat.PNG, 85);
    }
}
