package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;

import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;

/**
 * PNG uploads through the JDK's reader. Its chunks are read first ({@link PngChunks}): the colour information
 * ({@link PngColour} brings the pixels to sRGB) and the EXIF orientation, which is applied.
 */
record PngDecoder(ImageLimits limits) implements FormatDecoder {
    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        PngChunks png = PngChunks.read(in);
        in.seek(0);
        BufferedImage image = ImageIoReading.read(in, ImageFormat.PNG, ImageIoReading.JDK, limits);
        ImageData gray = RasterToGray.convert(PngColour.toSrgb(image, png));
        return new DecodedImage(ImageFormat.PNG, gray.width(), gray.height(), Orientation.apply(gray, png.orientation));
    }
}
