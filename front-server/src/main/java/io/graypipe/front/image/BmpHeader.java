package io.graypipe.front.image;

import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A BMP's size from its headers, read before any reader allocates pixels, and a completeness check for the
 * uncompressed layouts: TwelveMonkeys' reader fills missing rows in silently, so a file whose pixel rows stop
 * short is caught here instead. Handles the Windows headers (40 bytes and up) and both OS/2 ones (12 bytes with
 * 16-bit sizes, and 16 to 64 bytes).
 */
final class BmpHeader {
    private static final int BI_RGB = 0;
    private static final int BI_RLE8 = 1;
    private static final int BI_RLE4 = 2;
    private static final int BI_BITFIELDS = 3;
    private static final int BI_ALPHABITFIELDS = 6;
    private static final int OS2_V2_HEADER = 64;
    /** The bits per pixel a Windows or OS/2 BMP may have. */
    private static final List<Integer> BIT_DEPTHS = List.of(1, 2, 4, 8, 16, 24, 32, 64);

    final long width;
    /** Rows, whichever way they are stored (a negative stored height means top-down). */
    final long height;
    private final long pixelOffset;
    private final int bitsPerPixel;
    private final int compression;
    private final int headerSize;

    private BmpHeader(long width, long height, long pixelOffset, int bitsPerPixel, int compression, int headerSize) {
        this.width = width;
        this.height = height;
        this.pixelOffset = pixelOffset;
        this.bitsPerPixel = bitsPerPixel;
        this.compression = compression;
        this.headerSize = headerSize;
    }

    /** Reads from the current position, which must be the start of the file; leaves the position after the headers. */
    static BmpHeader read(ImageInputStream in) throws IOException {
        ByteOrder order = in.getByteOrder();
        in.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        try {
            in.skipBytes(10);
            long pixelOffset = in.readUnsignedInt();
            int headerSize = (int) Math.min(in.readUnsignedInt(), Integer.MAX_VALUE);
            if (headerSize == 12) {
                int width = in.readUnsignedShort();
                int height = in.readUnsignedShort();
                in.readUnsignedShort();
                return new BmpHeader(width, height, pixelOffset, bitDepth(in.readUnsignedShort()), BI_RGB, headerSize);
            }
            if (headerSize < 16) {
                throw new IIOException("BMP header size " + headerSize + " is not a known BMP version");
            }
            long width = in.readInt();
            long height = Math.abs((long) in.readInt());
            in.readUnsignedShort();
            int bits = bitDepth(in.readUnsignedShort());
            int compression = headerSize >= 20 ? in.readInt() : BI_RGB;
            return new BmpHeader(width, height, pixelOffset, bits, compression, headerSize);
        } finally {
            in.setByteOrder(order);
        }
    }

    /**
     * {@code bits} if a BMP may have it. 0 (a JPEG or PNG inside a BMP, which browsers do not show either) is
     * refused too: {@code /info} reported such a file, or any with 0 bits, as a 0-bit palette image (F15).
     */
    private static int bitDepth(int bits) throws IIOException {
        if (!BIT_DEPTHS.contains(bits)) {
            throw new IIOException("BMP bit depth " + bits + " is not one of " + BIT_DEPTHS);
        }
        return bits;
    }

    /**
     * Throws if the file ends before the last pixel: of an uncompressed or bit-field BMP (its last row's padding may
     * be missing: every pixel is there without it), or of an RLE BMP (its end-of-bitmap marker may be missing).
     * Leaves the stream position anywhere.
     */
    void checkComplete(ImageInputStream in) throws IOException {
        if ((compression == BI_RLE8 || compression == BI_RLE4) && headerSize != OS2_V2_HEADER) {
            checkRleComplete(in);
        } else {
            checkUncompressedComplete(in.length());
        }
    }

    /** Walks the RLE codes (no pixel is stored) to the end-of-bitmap marker or the end of the file. */
    private void checkRleComplete(ImageInputStream in) throws IOException {
        in.seek(pixelOffset);
        long x = 0;
        long y = 0;
        while (y < height) {
            int count = in.read();
            int value = in.read();
            if (value < 0) {
                break;
            }
            if (count > 0) {
                x += count;
            } else if (value == 0) {
                x = 0;
                y++;
            } else if (value == 1) {
                return;
            } else if (value == 2) {
                int dx = in.read();
                int dy = in.read();
                if (dy < 0) {
                    break;
                }
                x += dx;
                y += dy;
            } else {
                long bytes = compression == BI_RLE8 ? value : (value + 1) / 2;
                in.seek(in.getStreamPosition() + bytes + (bytes & 1));
                x += value;
            }
        }
        if (y < height - 1 || (y == height - 1 && x < width)) {
            throw new EOFException("BMP RLE data ends early");
        }
    }

    private void checkUncompressedComplete(long fileLength) throws IOException {
        boolean windowsBitfields = (compression == BI_BITFIELDS || compression == BI_ALPHABITFIELDS)
                && headerSize != OS2_V2_HEADER; // OS/2 2.x uses 3 for its own Huffman coding
        if (fileLength < 0 || width <= 0 || height <= 0 || bitsPerPixel <= 0
                || !(compression == BI_RGB || windowsBitfields)) {
            return;
        }
        long rowBits = width * bitsPerPixel;
        long stride = ((rowBits + 31) / 32) * 4;
        long needed = pixelOffset + stride * (height - 1) + (rowBits + 7) / 8;
        if (fileLength < needed) {
            throw new EOFException("BMP pixel data ends early");
        }
    }
}
