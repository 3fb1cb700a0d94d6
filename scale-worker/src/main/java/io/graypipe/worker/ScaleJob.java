package io.graypipe.worker;

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
     * Returns the {@link ScaleResult}. The front sends only gray rasters; a raster the kernels reject throws
     * {@link IllegalArgumentException}, which the caller answers as an error.
     */
    public static Message run(ScaleRequest request) {
        ImageData scaled = AreaAverageScaler.scale(request.image(), request.factor());
        byte[] encoded = ImageEncoder.encode(scaled, request.format(), request.quality());
        return new ScaleResult(request.requestId(), request.format(), scaled.width(), scaled.height(), encoded);
    }
}
