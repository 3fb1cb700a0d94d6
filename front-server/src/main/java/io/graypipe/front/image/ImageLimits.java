package io.graypipe.front.image;

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
}
