package io.graypipe.front.image;

/** Reads the orientation tag (0x0112) from IFD0 of a TIFF-structured EXIF block. */
final class Exif {
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;

    private Exif() {
    }

    /**
     * Orientation 1..8 from the TIFF data at {@code data[offset .. offset+length)}; 1 when the block is
     * missing the tag, malformed, or holds a value outside 1..8.
     */
    static int orientation(byte[] data, int offset, int length) {
        try {
            if (length < 8 || offset + length > data.length) {
                return 1;
            }
            boolean little;
            if (data[offset] == 'I' && data[offset + 1] == 'I') {
                little = true;
            } else if (data[offset] == 'M' && data[offset + 1] == 'M') {
                little = false;
            } else {
                return 1;
            }
            if (u16(data, offset + 2, little) != 42) {
                return 1;
            }
            long ifd = u32(data, offset + 4, little);
            if (ifd < 8 || ifd + 2 > length) {
                return 1;
            }
            int entries = u16(data, offset + (int) ifd, little);
            int pos = offset + (int) ifd + 2;
            for (int i = 0; i < entries; i++, pos += 12) {
                if (pos + 12 > offset + length) {
                    return 1;
                }
                if (u16(data, pos, little) == ORIENTATION_TAG) {
                    int type = u16(data, pos + 2, little);
                    int value = type == TYPE_SHORT ? u16(data, pos + 8, little)
                            : type == 4 ? (int) u32(data, pos + 8, little) : 1;
                    return value >= 1 && value <= 8 ? value : 1;
                }
            }
            return 1;
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private static int u16(byte[] d, int p, boolean little) {
        int a = d[p] & 0xff;
        int b = d[p + 1] & 0xff;
        return little ? (b << 8) | a : (a << 8) | b;
    }

    private static long u32(byte[] d, int p, boolean little) {
        long a = u16(d, p, little);
        long b = u16(d, p + 2, little);
        return little ? (b << 16) | a : (a << 16) | b;
    }
}
