package io.graypipe.bench.jmh;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of moving one 1080p gray frame through {@link MessageCodec}, as the front and the worker do over TCP.
 * A 2 MB frame is mostly memory copies, so results read as bandwidth. {@link FrameStreamsBenchmarks} covers the
 * children's stream side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MessageCodecBenchmarks {
    /** heap: Unpooled heap buffer; pooled-direct: what a Netty pipeline hands the codec by default. */
    @Param({"heap", "pooled-direct"})
    public String buffer;

    private ScaleRequest request;
    private ByteBuf frame;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] gray = new byte[1920 * 1080];
        new SplittableRandom(1).nextBytes(gray);
        request = ScaleRequest.scale(42, 960, 540, OutputFormat.JPEG, 85, 30_000,
                new ImageData(PixelFormat.GRAY8, 1920, 1080, gray));
        int size = MessageCodec.frameSize(request);
        frame = buffer.equals("heap") ? Unpooled.buffer(size)
                : PooledByteBufAllocator.DEFAULT.directBuffer(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public ByteBuf codecEncode() {
        frame.clear();
        MessageCodec.encode(request, frame);
        return frame;
    }

    /** Encode then decode, as the two ends of a worker connection do; decode skips the length prefix the
     *  pipeline's frame decoder would strip. */
    @Benchmark
    public Message codecRoundTrip() {
        frame.clear();
        MessageCodec.encode(request, frame);
        frame.skipBytes(MessageCodec.LENGTH_FIELD_BYTES);
        return MessageCodec.decode(frame);
    }
}
