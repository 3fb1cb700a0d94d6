package io.graypipe.front.image;

import io.graypipe.protocol.ImageFormat;

import javax.imageio.stream.ImageInputStream;
import java.io.IOException;

/**
 * Decodes one {@link ImageFormat} into upright gray: one implementation per format, which {@link GrayscaleDecoder}
 * chooses by the file's first bytes. Each checks its header's size against the {@link ImageLimits} before it
 * decodes a pixel. A failure is a {@link io.graypipe.front.error.FrontException} that already says what is wrong,
 * or an IOException or runtime exception that {@link GrayscaleDecoder} answers as {@code UNDECODABLE_IMAGE}.
 */
interface FormatDecoder {
    /** Decodes the file in {@code in}, positioned at its start. */
    DecodedImage decode(ImageInputStream in) throws IOException;
}
