package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;

/**
 * The result of {@link GrayscaleDecoder#decode}.
 *
 * @param sourceFormat from the file's first bytes
 * @param sourceWidth  width as stored in the file, before EXIF orientation
 * @param sourceHeight height as stored in the file, before EXIF orientation
 * @param gray         upright GRAY8 pixels, or GRAY_ALPHA8 when the source has alpha
 */
public record DecodedImage(ImageFormat sourceFormat, int sourceWidth, int sourceHeight, ImageData gray) {
}
