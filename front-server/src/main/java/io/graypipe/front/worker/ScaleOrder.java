package io.graypipe.front.worker;

import io.graypipe.front.fair.Share;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Op;
import io.graypipe.protocol.OutputFormat;

import java.util.List;

/**
 * What the pipeline asks a worker for: scale {@code image} to the target, run {@code ops}, encode. A worker
 * connection turns it into a SCALE_REQUEST with its own request id and the time left.
 *
 * @param targetWidth  width before the ops, from the uploaded image's size (the raster may be smaller)
 * @param targetHeight height before the ops
 * @param mode         where the worker runs it; DEFAULT leaves it to the worker's --mode
 * @param lossless     WebP only: the LOSSLESS encode flag
 * @param client       whose image it is: {@link FairDispatch} shares the workers between clients by it
 * @param leaving      run by {@link FairDispatch} just before the order goes to a worker, after any wait there:
 *                     how the task's {@code Server-Timing} tells that wait from the worker's round trip
 */
public record ScaleOrder(ImageData image, int targetWidth, int targetHeight, OutputFormat format, int quality,
                         ExecutionMode mode, List<Op> ops, boolean lossless, Share client, Runnable leaving) {
    /** The client of an order made without one. */
    static final Share ANYONE = new Share("-", 1);
    /** The {@code leaving} of an order nobody times. */
    static final Runnable UNTIMED = () -> { };

    public ScaleOrder {
        ops = List.copyOf(ops);
        lossless = lossless && format == OutputFormat.WEBP;
    }

    /** An order nobody times. */
    public ScaleOrder(ImageData image, int targetWidth, int targetHeight, OutputFormat format, int quality,
                      ExecutionMode mode, List<Op> ops, boolean lossless, Share client) {
        this(image, targetWidth, targetHeight, format, quality, mode, ops, lossless, client, UNTIMED);
    }

    /** A lossy order. */
    public ScaleOrder(ImageData image, int targetWidth, int targetHeight, OutputFormat format, int quality,
                      ExecutionMode mode, List<Op> ops) {
        this(image, targetWidth, targetHeight, format, quality, mode, ops, false, ANYONE);
    }

    /** Gray and scale only, where the worker likes. */
    public static ScaleOrder scale(ImageData image, int targetWidth, int targetHeight, OutputFormat format,
                                   int quality) {
        return new ScaleOrder(image, targetWidth, targetHeight, format, quality, ExecutionMode.DEFAULT, List.of());
    }
}
