package io.graypipe.protocol;

/** How the pixels of an {@link ImageData} are laid out. Values are part of the wire format. */
public enum PixelFormat implements WireEnum {
    /** One byte of luma per pixel, row-major, no padding. */
    GRAY8(1, 1),
    /** Two bytes per pixel, luma then alpha (not premultiplied), row-major, no padding. */
    GRAY_ALPHA8(2, 2);

    private final byte code;
    private final int bytesPerPixel;

    PixelFormat(int code, int bytesPerPixel) {
        this.code = (byte) code;
        this.bytesPerPixel = bytesPerPixel;
    }

    @Override
    public byte code() {
        return code;
    }

    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    public static PixelFormat fromCode(byte code) {
        return WireEnum.byCode(PixelFormat.class, code).orElseThrow(
                () -> new ProtocolException(ErrorCode.MALFORMED, "unknown pixel format " + (code & 0xff)));
    }
}
