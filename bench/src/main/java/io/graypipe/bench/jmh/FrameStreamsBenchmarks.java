package io.graypipe.bench.jmh;

import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One 1080p gray {@link ScaleRequest} through {@link FrameStreams}, the blocking adapter a child uses on its
 * stdin/stdout, over in-memory streams so only the framing and copies are measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FrameStreamsBenchmarks {
    private ScaleRequest request;
    private ExposedByteArrayOutputStream stream;
    private byte[] encodedFrame;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] gray = new byte[1920 * 1080];
        new SplittableRandom(1).nextBytes(gray);
        request = ScaleRequest.scale(42, 960, 540, OutputFormat.JPEG, 85, 30_000,
                new ImageData(PixelFormat.GRAY8, 1920, 1080, gray));
        stream = new ExposedByteArrayOutputStream(MessageCodec.frameSize(request));
        FrameStreams.write(stream, request);
        encodedFrame = stream.toByteArray();
    }

    @Benchmark
    public ExposedByteArrayOutputStream write() throws IOException {
        stream.reset();
        FrameStreams.write(stream, request);
        return stream;
    }

    @Benchmark
    public Message read() throws IOException {
        return FrameStreams.read(new ByteArrayInputStream(encodedFrame), MessageCodec.DEFAULT_MAX_FRAME_BYTES);
    }

    @Benchmark
    public Message roundTrip() throws IOException {
        stream.reset();
        FrameStreams.write(stream, request);
        return FrameStreams.read(stream.asInput(), MessageCodec.DEFAULT_MAX_FRAME_BYTES);
    }

    /** Reads back what was written without the copy {@code toByteArray()} would add to the measurement. */
    public static final class ExposedByteArrayOutputStream extends ByteArrayOutputStream {
        ExposedByteArrayOutputStream(int size) {
            super(size);
        }

        ByteArrayInputStream asInput() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }
}
