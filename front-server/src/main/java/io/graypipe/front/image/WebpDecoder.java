package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;

import javax.imageio.stream.ImageInputStream;
import java.io.IOException;

/** WebP uploads (lossy, lossless, with alpha) through TwelveMonkeys' reader; an animated WebP gives its first frame. */
record WebpDecoder(ImageLimits limits) implements FormatDecoder {
    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        ImageData gray = RasterToGray.convert(ImageIoReading.read(in, ImageFormat.WEBP, ImageIoReading.TWELVEMONKEYS,
                limits));
        return new DecodedImage(ImageFormat.WEBP, gray.width(), gray.height(), gray);
    }
}
