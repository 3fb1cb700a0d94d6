package io.graypipe.worker;

import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.OpChainException;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.Encoders;
import io.graypipe.worker.image.ImageEncoder;
import io.graypipe.worker.image.PlanarRaster;
import io.graypipe.worker.image.filter.FilterChain;

/**
 * The unit of work of a child (or a pool thread): scale one image, run its filter chain and encode it. Children
 * and pool threads run this same code, so both modes give byte-identical output for the same request.
 */
public final class ScaleJob {
    private ScaleJob() {
    }

    /**
     * Returns a {@link ScaleResult} naming {@code ranIn} as its mode, or an {@link ErrorMessage} for input the
     * kernels reject ({@code BAD_REQUEST} for a chain outside the ops' ranges, checked before any pixel work), or
     * {@code REGION_UNAVAILABLE} for a SHARED raster that {@code regions} cannot read (or when it is null: this
     * worker offers no shared memory), or {@code UNSUPPORTED_FORMAT} for WebP or AVIF without the library in
     * {@code codecs} (null: none loaded).
     */
    public static Message run(ScaleRequest request, ExecutionMode ranIn, SharedRegionReader regions, Encoders codecs) {
        Encoders encoders = codecs != null ? codecs : Encoders.NONE;
        if (!encoders.encodes(request.format())) {
            return new ErrorMessage(request.requestId(), ErrorCode.UNSUPPORTED_FORMAT, "this worker has no "
                    + request.format().label() + " encoder: its library could not be loaded (Debian package "
                    + Encoders.packageFor(request.format()) + ")");
        }
        ImageData source = request.image();
        if (source.isShared()) {
            if (regions == null) {
                return new ErrorMessage(request.requestId(), ErrorCode.REGION_UNAVAILABLE,
                        "this worker reads no shared-memory regions; send the pixels inline");
            }
            try {
                source = regions.read(source);
            } catch (SharedRegionReader.RegionUnavailableException e) {
                return new ErrorMessage(request.requestId(), ErrorCode.REGION_UNAVAILABLE, e.getMessage());
            }
        }
        ImageData scaled = AreaAverageScaler.scale(source, request.targetWidth(), request.targetHeight());
        if (request.ops().isEmpty()) {
            // No chain: encode the wire layout as it is, without splitting gray+alpha into planes and back.
            byte[] encoded = ImageEncoder.encode(scaled, request.format(), request.quality(), request.lossless(),
                    encoders);
            return new ScaleResult(request.requestId(), request.format(), ranIn, scaled.width(), scaled.height(),
                    encoded);
        }
        PlanarRaster filtered;
        try {
            filtered = FilterChain.apply(PlanarRaster.of(scaled), request.ops());
        } catch (OpChainException e) {
            return new ErrorMessage(request.requestId(), ErrorCode.BAD_REQUEST, e.getMessage());
        }
        byte[] encoded = ImageEncoder.encode(filtered, request.format(), request.quality(), request.lossless(),
                encoders);
        return new ScaleResult(request.requestId(), request.format(), ranIn, filtered.width(), filtered.height(),
                encoded);
    }
}
