package io.graypipe.protocol;

/**
 * An image as it crosses the wire: raw pixels in a {@link PixelFormat}, or an encoded file.
 * The byte array is not copied; callers hand it over and do not modify it afterwards.
 */
public record ImageData(PixelFormat format, int width, int height, byte[] data) {
    public ImageData {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive: " + width + "x" + height);
        }
        if (format.bytesPerPixel() > 0 && (long) width * height * format.bytesPerPixel() != data.length) {
            throw new IllegalArgumentException(String.format("%s %dx%d needs %d bytes, got %d",
                    format, width, height, (long) width * height * format.bytesPerPixel(), data.length));
        }
    }
}
