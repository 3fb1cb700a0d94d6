package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;

import javax.imageio.stream.ImageInputStream;
import java.io.IOException;

/**
 * BMP uploads through TwelveMonkeys' reader, which reads the OS/2 and V4/V5 variants the JDK's refuses. The
 * headers are read first ({@link BmpHeader}): the size is checked before the reader allocates anything, and a file
 * whose pixel rows stop short is refused rather than filled in.
 */
record BmpDecoder(ImageLimits limits) implements FormatDecoder {
    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        BmpHeader bmp = BmpHeader.read(in);
        limits.check(ImageFormat.BMP, bmp.width, bmp.height);
        bmp.checkComplete(in);
        in.seek(0);
        ImageData gray = RasterToGray.convert(ImageIoReading.read(in, ImageFormat.BMP, ImageIoReading.TWELVEMONKEYS,
                limits));
        return new DecodedImage(ImageFormat.BMP, gray.width(), gray.height(), gray);
    }
}
