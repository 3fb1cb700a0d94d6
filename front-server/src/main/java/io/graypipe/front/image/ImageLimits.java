package io.graypipe.front.image;

/** Size limits checked against an image's header before any pixel is decoded. */
public record ImageLimits(long maxPixels, int maxDimension) {
}
