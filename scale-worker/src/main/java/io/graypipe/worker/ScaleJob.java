package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.ImageEncoder;

/** The unit of work of a child (or a pool thread): scale one image and encode it. */
public final class ScaleJob {
    private ScaleJob() {
    }

    /**
     * Returns a {@link ScaleResult} naming {@code ranIn} as its mode, or an {@link ErrorMessage} for input the
     * kernels reject.
     */
    public static Message run(ScaleRequest request, ExecutionMode ranIn) {
        ImageData source = request.image();
        if (source.isShared()) {
            // This worker offers no SHARED_MEMORY in its HELLO, so a peer that sends a region broke the handshake.
            return new ErrorMessage(request.requestId(), ErrorCode.REGION_UNAVAILABLE,
                    "this worker reads no shared-memory regions; send the pixels inline");
        }
        ImageData scaled = AreaAverageScaler.scale(source, request.targetWidth(), request.targetHeight());
        byte[] encoded = ImageEncoder.encode(scaled, request.format(), request.quality());
        return new ScaleResult(request.requestId(), request.format(), ranIn, scaled.width(), scaled.height(), encoded);
    }
}
