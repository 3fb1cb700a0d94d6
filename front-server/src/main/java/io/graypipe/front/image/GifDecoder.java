package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;

import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Decodes a GIF's first frame onto its logical screen, as browsers show a GIF's first frame. graypipe reads GIFs
 * itself rather than through the JDK reader, which refuses LZW minimum code sizes above 8 that browsers and Pillow
 * read, and decodes a frame at its own size instead of the screen's.
 *
 * <p>The screen and frame sizes are checked before any pixel is decoded. The frame is composited at its offset;
 * screen area the frame does not cover is transparent white (gray 255, alpha 0), and pixels outside the screen are
 * clipped. A frame's transparent index gives alpha 0 with the palette entry's gray. A file that ends before the
 * frame's last data sub-block, or whose LZW data ends before the frame's last pixel, is corrupt; data after the
 * last pixel and everything after the first frame (a missing trailer included) is ignored.
 */
record GifDecoder(ImageLimits limits) implements FormatDecoder {
    /** Browsers accept minimum code sizes up to 11; 12 leaves no room in the 4096-entry table. */
    static final int MAX_MIN_CODE_SIZE = 11;
    private static final int MAX_CODES = 4096;
    private static final int[][] INTERLACE_PASSES = {{0, 8}, {4, 8}, {2, 4}, {1, 2}};

    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        ImageData gray = firstFrame(in);
        return new DecodedImage(ImageFormat.GIF, gray.width(), gray.height(), gray);
    }

    /** The first frame on its screen; the screen's size and then the frame's are checked before any pixel. */
    private ImageData firstFrame(ImageInputStream in) throws IOException {
        byte[] header = new byte[13];
        in.readFully(header);
        int screenWidth = u16(header, 6);
        int screenHeight = u16(header, 8);
        int flags = header[10] & 0xff;
        byte[] globalPalette = (flags & 0x80) != 0 ? readPalette(in, flags & 7) : null;
        int transparent = -1;
        while (true) {
            int block = in.readUnsignedByte();
            if (block == 0x21) {
                int label = in.readUnsignedByte();
                byte[] first = readSubBlock(in);
                if (label == 0xF9 && first != null && first.length >= 4) {
                    transparent = (first[0] & 1) != 0 ? first[3] & 0xff : -1;
                }
                if (first != null) {
                    skipSubBlocks(in);
                }
            } else if (block == 0x2C) {
                break;
            } else if (block == 0x3B) {
                throw new IIOException("the GIF has no image, only its trailer");
            } else {
                throw new IIOException("unknown GIF block 0x" + Integer.toHexString(block));
            }
        }
        byte[] descriptor = new byte[9];
        in.readFully(descriptor);
        int left = u16(descriptor, 0);
        int top = u16(descriptor, 2);
        int frameWidth = u16(descriptor, 4);
        int frameHeight = u16(descriptor, 6);
        int frameFlags = descriptor[8] & 0xff;
        if (screenWidth == 0 || screenHeight == 0) {
            // Some writers leave the screen empty; browsers then show the frame where it lies.
            screenWidth = left + frameWidth;
            screenHeight = top + frameHeight;
        }
        limits.check(ImageFormat.GIF, screenWidth, screenHeight);
        limits.check(ImageFormat.GIF, frameWidth, frameHeight);
        byte[] palette = (frameFlags & 0x80) != 0 ? readPalette(in, frameFlags & 7) : globalPalette;
        if (palette == null) {
            throw new IIOException("the GIF frame has no colour table");
        }
        int minCodeSize = in.readUnsignedByte();
        if (minCodeSize < 1 || minCodeSize > MAX_MIN_CODE_SIZE) {
            throw new IIOException("GIF LZW minimum code size " + minCodeSize + " is outside 1.."
                    + MAX_MIN_CODE_SIZE);
        }
        Canvas canvas = new Canvas(screenWidth, screenHeight, left, top, frameWidth, frameHeight,
                (frameFlags & 0x40) != 0, palette, transparent);
        new Lzw(in, minCodeSize).decodeInto(canvas);
        return canvas.image();
    }

    private static byte[] readPalette(ImageInputStream in, int sizeBits) throws IOException {
        byte[] palette = new byte[3 << (sizeBits + 1)];
        in.readFully(palette);
        return palette;
    }

    /** One data sub-block, or null for the block terminator. */
    private static byte[] readSubBlock(ImageInputStream in) throws IOException {
        int length = in.readUnsignedByte();
        if (length == 0) {
            return null;
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    private static void skipSubBlocks(ImageInputStream in) throws IOException {
        for (int length; (length = in.readUnsignedByte()) != 0; ) {
            long target = in.getStreamPosition() + length;
            in.seek(target);
            if (in.length() >= 0 && target > in.length()) {
                throw new EOFException("GIF extension runs past the end of the file");
            }
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8);
    }

    /** The screen as gray+alpha, taking the frame's pixels in the order the LZW data yields them. */
    private static final class Canvas {
        private final int screenWidth;
        private final int screenHeight;
        private final int left;
        private final int top;
        private final int frameWidth;
        private final int frameHeight;
        private final boolean interlaced;
        private final byte[] grayLut = new byte[256];
        private final byte[] alphaLut = new byte[256];
        private final byte[] pixels;
        private final long total;
        private long written;
        private int x;
        private int row;
        private int pass;
        private boolean covered;

        Canvas(int screenWidth, int screenHeight, int left, int top, int frameWidth, int frameHeight,
               boolean interlaced, byte[] palette, int transparent) {
            this.screenWidth = screenWidth;
            this.screenHeight = screenHeight;
            this.left = left;
            this.top = top;
            this.frameWidth = frameWidth;
            this.frameHeight = frameHeight;
            this.interlaced = interlaced;
            this.total = (long) frameWidth * frameHeight;
            int entries = palette.length / 3;
            for (int i = 0; i < 256; i++) {
                // Indexes past the colour table are black, as in the other paletted formats.
                grayLut[i] = i < entries ? (byte) Luma.of(palette[3 * i] & 0xff, palette[3 * i + 1] & 0xff,
                        palette[3 * i + 2] & 0xff) : 0;
                alphaLut[i] = (byte) (i == transparent ? 0 : 255);
            }
            pixels = new byte[screenWidth * screenHeight * 2];
            for (int i = 0; i < pixels.length; i += 2) {
                pixels[i] = (byte) 255;
            }
            covered = transparent < 0 && left == 0 && top == 0 && frameWidth >= screenWidth
                    && frameHeight >= screenHeight;
            row = interlaced ? INTERLACE_PASSES[0][0] : 0;
        }

        boolean full() {
            return written == total;
        }

        void put(int index) {
            int sx = left + x;
            int sy = top + row;
            if (sx < screenWidth && sy < screenHeight) {
                int p = (sy * screenWidth + sx) * 2;
                pixels[p] = grayLut[index];
                pixels[p + 1] = alphaLut[index];
            }
            written++;
            if (++x == frameWidth) {
                x = 0;
                nextRow();
            }
        }

        private void nextRow() {
            if (!interlaced) {
                row++;
                return;
            }
            row += INTERLACE_PASSES[pass][1];
            while (row >= frameHeight && pass < INTERLACE_PASSES.length - 1) {
                pass++;
                row = INTERLACE_PASSES[pass][0];
            }
        }

        ImageData image() {
            if (!covered) {
                return new ImageData(PixelFormat.GRAY_ALPHA8, screenWidth, screenHeight, pixels);
            }
            byte[] gray = new byte[screenWidth * screenHeight];
            for (int i = 0; i < gray.length; i++) {
                gray[i] = pixels[2 * i];
            }
            return new ImageData(PixelFormat.GRAY8, screenWidth, screenHeight, gray);
        }
    }

    /** Variable-width LZW over the frame's data sub-blocks (GIF89a appendix F). */
    private static final class Lzw {
        private final ImageInputStream in;
        private final int minCodeSize;
        private final short[] prefix = new short[MAX_CODES];
        private final byte[] suffix = new byte[MAX_CODES];
        private final byte[] firstByte = new byte[MAX_CODES];
        private final byte[] stack = new byte[MAX_CODES + 1];
        private final byte[] block = new byte[255];
        private int blockLength;
        private int blockPos;
        private boolean dataEnded;
        private int bits;
        private int bitCount;

        Lzw(ImageInputStream in, int minCodeSize) {
            this.in = in;
            this.minCodeSize = minCodeSize;
        }

        void decodeInto(Canvas canvas) throws IOException {
            int clear = 1 << minCodeSize;
            int end = clear + 1;
            for (int i = 0; i < clear; i++) {
                prefix[i] = -1;
                suffix[i] = (byte) i;
                firstByte[i] = (byte) i;
            }
            int codeSize = minCodeSize + 1;
            int next = clear + 2;
            int previous = -1;
            while (!canvas.full()) {
                int code = readCode(codeSize);
                if (code < 0 || code == end) {
                    throw new IIOException("the GIF's image data ends before its last pixel");
                }
                if (code == clear) {
                    codeSize = minCodeSize + 1;
                    next = clear + 2;
                    previous = -1;
                    continue;
                }
                if (previous < 0) {
                    if (code >= clear) {
                        throw new IIOException("corrupt GIF image data: code " + code + " after a clear code");
                    }
                    canvas.put(code);
                    previous = code;
                    continue;
                }
                if (code > next || (code == next && next >= MAX_CODES)) {
                    throw new IIOException("corrupt GIF image data: code " + code + " before it is defined");
                }
                int first = code == next ? firstByte[previous] & 0xff : firstByte[code] & 0xff;
                if (next < MAX_CODES) {
                    prefix[next] = (short) previous;
                    suffix[next] = (byte) first;
                    firstByte[next] = firstByte[previous];
                    next++;
                    // ">=", not "==": with minimum code size 1 the first entry already fills the table.
                    if (next >= (1 << codeSize) && codeSize < 12) {
                        codeSize++;
                    }
                }
                int depth = 0;
                for (int c = code; c >= 0; c = prefix[c]) {
                    stack[depth++] = suffix[c];
                }
                while (depth > 0 && !canvas.full()) {
                    canvas.put(stack[--depth] & 0xff);
                }
                previous = code;
            }
            // The frame is complete; its remaining sub-blocks must still be there up to the terminator.
            if (!dataEnded) {
                skipSubBlocks(in);
            }
        }

        /** The next code, or -1 when the data sub-blocks end. */
        private int readCode(int size) throws IOException {
            while (bitCount < size) {
                if (blockPos == blockLength) {
                    if (dataEnded) {
                        return -1;
                    }
                    blockLength = in.readUnsignedByte();
                    blockPos = 0;
                    if (blockLength == 0) {
                        dataEnded = true;
                        return -1;
                    }
                    in.readFully(block, 0, blockLength);
                }
                bits |= (block[blockPos++] & 0xff) << bitCount;
                bitCount += 8;
            }
            int code = bits & ((1 << size) - 1);
            bits >>>= size;
            bitCount -= size;
            return code;
        }
    }
}
