package io.graypipe.front.image;

/**
 * What {@link ShrinkOnLoadDecoder} hands on: the decoded image, and the size the worker must scale it to.
 * The raster may be smaller than the original after JPEG shrink-on-load; the target size always comes from the
 * original, upright size, so the output's size does not depend on how the image was decoded.
 *
 * @param decoded      upright gray pixels, full size or reduced by {@code shrink}
 * @param width        upright width of the original, which the client's image info reports
 * @param height       upright height of the original
 * @param targetWidth  max(1, floor(upright width · scale)) of the original
 * @param targetHeight max(1, floor(upright height · scale)) of the original
 * @param shrink       the DCT scale's denominator the JPEG was decoded at (2, 4 or 8), or 1 for full size
 */
public record LoadedImage(DecodedImage decoded, int width, int height, int targetWidth, int targetHeight,
                          int shrink) {
}
