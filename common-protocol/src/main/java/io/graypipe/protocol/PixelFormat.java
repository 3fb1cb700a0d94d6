package io.graypipe.protocol;

/** How the bytes of an {@link ImageData} are laid out. Values are part of the wire format. */
public enum PixelFormat {
    /** One byte of luma per pixel, row-major, no padding. */
    GRAY8(1, 1),
    /** Two bytes per pixel, luma then alpha, row-major, no padding. */
    GRAY_ALPHA8(2, 2),
    /** An encoded image file (PNG or JPEG); width and height describe the decoded image. */
    ENCODED(3, 0);

    private final byte code;
    private final int bytesPerPixel;

    PixelFormat(int code, int bytesPerPixel) {
        this.code = (byte) code;
        this.bytesPerPixel = bytesPerPixel;
    }

    public byte code() {
        return code;
    }

    /** Bytes per pixel for raw formats; 0 for {@link #ENCODED}. */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    public boolean hasAlpha() {
        return this == GRAY_ALPHA8;
    }

    public static PixelFormat fromCode(byte code) {
        for (PixelFormat format : values()) {
            if (format.code == code) {
                return format;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED, "unknown pixel format " + (code & 0xff));
    }
}
