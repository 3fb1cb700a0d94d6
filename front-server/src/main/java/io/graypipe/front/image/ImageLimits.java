package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageFormat;

/**
 * Upper bounds checked against an image's header before any pixel is decoded.
 *
 * @param maxPixels    largest accepted width × height
 * @param maxDimension largest accepted width or height
 */
public record ImageLimits(long maxPixels, int maxDimension) {
    public ImageLimits {
        if (maxPixels <= 0 || maxDimension <= 0) {
            throw new IllegalArgumentException("image limits must be positive: " + maxPixels + ", " + maxDimension);
        }
    }

    /** Whether a {@code width × height} image fits. */
    public boolean allows(long width, long height) {
        return width <= maxDimension && height <= maxDimension && width * height <= maxPixels;
    }

    /**
     * Refuses a {@code width × height} image from a {@code format} header: {@code UNDECODABLE_IMAGE} for a size
     * that is not positive, {@code IMAGE_TOO_LARGE} past the limits.
     */
    public void check(ImageFormat format, long width, long height) {
        if (width <= 0 || height <= 0) {
            throw GrayscaleDecoder.undecodable("the " + format.name() + " header gives an invalid size "
                    + width + "x" + height);
        }
        if (!allows(width, height)) {
            throw new FrontException(ErrorCode.IMAGE_TOO_LARGE, String.format(
                    "the image is %dx%d (%d pixels); the limit is %d pixels and %d pixels per side; "
                            + "downscale it before uploading", width, height, width * height,
                    maxPixels, maxDimension));
        }
    }
}
