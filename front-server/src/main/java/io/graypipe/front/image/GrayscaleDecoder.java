package io.graypipe.front.image;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;

/** Interim decoder; replaced by the full kernel. */
public final class GrayscaleDecoder {
    private final ImageLimits limits;

    public GrayscaleDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    public DecodedImage decode(ImageSource source) {
        if (source.length() == 0) {
            throw new ApiException(ApiError.EMPTY_IMAGE, "the upload is empty; send an image file");
        }
        try (InputStream in = source.openStream(); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "not an image graypipe reads");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > limits.maxPixels() || w > limits.maxDimension() || h > limits.maxDimension()) {
                    throw new ApiException(ApiError.IMAGE_TOO_LARGE, "image too large: " + w + "x" + h);
                }
                BufferedImage image = reader.read(0);
                byte[] gray = new byte[w * h];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int rgb = image.getRGB(x, y);
                        int r = (rgb >> 16) & 0xff;
                        int g = (rgb >> 8) & 0xff;
                        int b = rgb & 0xff;
                        gray[y * w + x] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    }
                }
                return new DecodedImage(reader.getFormatName().toLowerCase(Locale.ROOT), w, h,
                        new ImageData(PixelFormat.GRAY8, w, h, gray));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(ApiError.UNDECODABLE_IMAGE, "cannot decode: " + e.getMessage());
        }
    }
}
