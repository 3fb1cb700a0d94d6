package io.graypipe.protocol;

/**
 * A raster as it crosses the wire: its pixel format and size, and its pixels either inline ({@link #data}) or in a
 * shared-memory region on the receiver's host ({@link #region}, a file name under the shared-memory directory).
 * Exactly one of the two is set. The byte array is not copied; callers hand it over and do not modify it afterwards.
 */
public record ImageData(PixelFormat format, int width, int height, byte[] data, String region) {
    /** Longest region name, in bytes; names are {@code [A-Za-z0-9._-]}, never a path. */
    public static final int MAX_REGION_NAME = 128;

    public ImageData {
        if (format == null) {
            throw new IllegalArgumentException("pixel format is required");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive: " + width + "x" + height);
        }
        if ((data == null) == (region == null)) {
            throw new IllegalArgumentException("an image has either inline pixels or a shared region, not both");
        }
        if (data != null && (long) width * height * format.bytesPerPixel() != data.length) {
            throw new IllegalArgumentException(String.format("%s %dx%d needs %d bytes, got %d",
                    format, width, height, (long) width * height * format.bytesPerPixel(), data.length));
        }
        if (region != null && !validRegionName(region)) {
            throw new IllegalArgumentException("region name must be 1-" + MAX_REGION_NAME
                    + " characters of [A-Za-z0-9._-], not starting with '.'");
        }
    }

    /** Inline pixels. */
    public ImageData(PixelFormat format, int width, int height, byte[] data) {
        this(format, width, height, data, null);
    }

    public static ImageData shared(PixelFormat format, int width, int height, String region) {
        return new ImageData(format, width, height, null, region);
    }

    public boolean isShared() {
        return region != null;
    }

    /** Bytes of pixel data the raster holds, wherever they are. */
    public long byteCount() {
        return (long) width * height * format.bytesPerPixel();
    }

    static boolean validRegionName(String name) {
        if (name.isEmpty() || name.length() > MAX_REGION_NAME || name.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
