package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.EncodedImageDecoder;
import io.graypipe.worker.image.ImageEncoder;

/** The unit of work of a child (or a pool thread): scale one image and encode it. */
public final class ScaleJob {
    private ScaleJob() {
    }

    /** Returns a {@link ScaleResult}, or an {@link ErrorMessage} for input the kernels reject. */
    public static Message run(ScaleRequest request) {
        ImageData source = request.image();
        if (source.format() == PixelFormat.ENCODED) {
            try {
                source = EncodedImageDecoder.decode(source.data());
            } catch (IllegalArgumentException e) {
                return new ErrorMessage(request.requestId(), ErrorCode.UNDECODABLE, e.getMessage());
            }
        }
        ImageData scaled = AreaAverageScaler.scale(source, request.factor());
        byte[] encoded = ImageEncoder.encode(scaled, request.format(), request.quality());
        return new ScaleResult(request.requestId(), request.format(), scaled.width(), scaled.height(), encoded);
    }
}
