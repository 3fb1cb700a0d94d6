package io.graypipe.bench.jmh;

import io.graypipe.bench.BenchImages;
import io.graypipe.front.image.GrayscaleDecoder;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.image.ImageSource;
import io.graypipe.protocol.Op;
import io.graypipe.protocol.OpChain;
import io.graypipe.worker.image.PlanarRaster;
import io.graypipe.worker.image.filter.FilterChain;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Each filter op on the 1080p benchmark photo as a 1920×1080 gray raster (the worker's input after scaling),
 * and on its sepia RGB version for the per-channel cost. Inputs as in {@link KernelBenchmarks}. The heap is
 * fixed and touched up front: every op allocates fresh 2 MB planes, and on this sandbox first-touch page faults
 * would otherwise cost more than the kernels themselves.
 *
 * <p>Besides wall time, each call's CPU time on the benchmark thread is counted ({@code cpuNanos} and
 * {@code calls} in the results): on a machine shared with other work, wall time measures the neighbours too.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FilterBenchmarks {
    @Param({"invert", "brightness:1.3", "contrast:1.5", "blur:2", "blur:20", "sharpen", "edges", "emboss",
            "posterize:3", "sepia", "watermark:graypipe", "resize:960x540", "rotate:90", "flip:h", "flip:v"})
    public String op;

    private PlanarRaster gray;
    private PlanarRaster rgb;
    private List<Op> ops;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path cache = Path.of(System.getProperty("graypipe.bench.cache",
                System.getProperty("java.io.tmpdir") + "/graypipe-bench-images"));
        byte[] encoded = Files.readAllBytes(BenchImages.ensure(cache, BenchImages.DEFAULT_SEED)
                .get(BenchImages.Kind.JPEG_1080P));
        gray = PlanarRaster.of(new GrayscaleDecoder(new ImageLimits(100_000_000L, 20_000))
                .decode(ImageSource.of(encoded)).gray());
        rgb = FilterChain.apply(gray, OpChain.parse("sepia").ops());
        ops = OpChain.parse(op).ops();
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds spent in the benchmarked calls of one iteration, and how many calls there were. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        public long cpuNanos;
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            calls = 0;
        }

        PlanarRaster measure(PlanarRaster raster, List<Op> ops) {
            long start = THREADS.getCurrentThreadCpuTime();
            PlanarRaster out = FilterChain.apply(raster, ops);
            cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
            calls++;
            return out;
        }
    }

    @Benchmark
    public PlanarRaster gray(CpuTime cpu) {
        return cpu.measure(gray, ops);
    }

    @Benchmark
    public PlanarRaster rgb(CpuTime cpu) {
        return cpu.measure(rgb, ops);
    }
}
