package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;

/** A decoded upload: what it was, and its upright gray pixels. */
public record DecodedImage(String sourceFormat, int sourceWidth, int sourceHeight, ImageData gray) {
}
