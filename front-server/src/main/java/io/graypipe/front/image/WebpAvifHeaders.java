package io.graypipe.front.image;

import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The container structure of WebP (RIFF chunks) and AVIF (ISO-BMFF boxes) that {@code POST /info} needs beyond
 * metadata-extractor: that every chunk or box lies inside the file (a truncated file is refused as
 * it is for the other formats), WebP's frame count and AVIF's alpha auxiliary image. Reads no image data.
 */
final class WebpAvifHeaders {
    private static final byte[] ALPHA_URN = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AV1_ALPHA_URN = "urn:mpeg:hevc:2015:auxid:1".getBytes(StandardCharsets.US_ASCII);
    /** A meta box is a few hundred bytes; one larger than this is not buffered to look for alpha. */
    private static final long MAX_META_BYTES = 1 << 20;

    private WebpAvifHeaders() {
    }

    /** Checks a WebP's RIFF chunks from the start of the file; returns its frame count (ANMF chunks, at least 1). */
    static int webpFrames(ImageInputStream in) throws IOException {
        in.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        in.seek(4);
        long riffEnd = 8 + in.readUnsignedInt();
        requireWithin(in, riffEnd, "WebP");
        int frames = 0;
        long pos = 12;
        while (pos + 8 <= riffEnd) {
            in.seek(pos);
            byte[] fourcc = new byte[4];
            in.readFully(fourcc);
            long size = in.readUnsignedInt();
            long end = pos + 8 + size + (size & 1);
            if (end > riffEnd + (size & 1)) {
                throw new EOFException("a WebP chunk runs past the end of the file: the file is truncated");
            }
            if (ascii(fourcc, 0, "ANMF")) {
                frames++;
            }
            pos = end;
        }
        return Math.max(1, frames);
    }

    /** Where a WebP's (first) frame lies on the canvas its VP8X chunk gives. */
    record WebpFirstFrame(int canvasWidth, int canvasHeight, int x, int y) {
    }

    /**
     * For a WebP with a VP8X chunk, its canvas and where the first frame lies on it (the first ANMF's offset, or the
     * corner when no ANMF chunk is found); {@code null} for a simple WebP, whose frame is the image. The chunks are
     * walked up to the end of the file, not the RIFF size, as the decoder reads them; so the output is always the
     * canvas that {@code /info} reports.
     */
    static WebpFirstFrame webpFirstFrame(ImageInputStream in) throws IOException {
        in.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        long length = in.length();
        in.seek(4);
        long riffEnd = 8 + in.readUnsignedInt();
        long end = Math.max(riffEnd, length);
        int canvasWidth = 0;
        int canvasHeight = 0;
        long pos = 12;
        try {
            while (pos + 8 + 12 <= end) {
                in.seek(pos);
                byte[] fourcc = new byte[4];
                in.readFully(fourcc);
                long size = in.readUnsignedInt();
                if (ascii(fourcc, 0, "VP8X") && canvasWidth == 0) {
                    in.skipBytes(4); // flags and reserved bits
                    canvasWidth = 1 + uint24(in);
                    canvasHeight = 1 + uint24(in);
                } else if (ascii(fourcc, 0, "ANMF") && canvasWidth != 0) {
                    // Offsets are stored halved (the WebP container specification, "ANMF chunk").
                    int x = 2 * uint24(in);
                    int y = 2 * uint24(in);
                    return new WebpFirstFrame(canvasWidth, canvasHeight, x, y);
                }
                pos += 8 + size + (size & 1);
            }
        } catch (EOFException cut) {
            // A chunk header cut by the end of the file: what was read so far stands.
        }
        return canvasWidth == 0 ? null : new WebpFirstFrame(canvasWidth, canvasHeight, 0, 0);
    }

    private static int uint24(ImageInputStream in) throws IOException {
        return in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
    }

    /** What an AVIF's top-level boxes say, once each is checked to lie inside the file. */
    record Avif(boolean animated, boolean hasAlpha) {
    }

    static Avif avif(ImageInputStream in) throws IOException {
        in.setByteOrder(ByteOrder.BIG_ENDIAN);
        long length = in.length();
        long pos = 0;
        boolean animated = false;
        boolean alpha = false;
        boolean mdat = false;
        while (length < 0 || pos < length) {
            in.seek(pos);
            int first = in.read();
            if (first < 0) {
                break;
            }
            in.seek(pos);
            long size = in.readUnsignedInt();
            byte[] type = new byte[4];
            in.readFully(type);
            long header = 8;
            if (size == 1) {
                size = in.readLong();
                header = 16;
            } else if (size == 0) {
                size = length - pos;
            }
            if (size < header) {
                throw new IOException("an AVIF box has the invalid size " + size);
            }
            long end = pos + size;
            requireWithin(in, end, "AVIF");
            if (ascii(type, 0, "ftyp")) {
                byte[] brands = read(in, size - header, 4096);
                animated = contains(brands, "avis".getBytes(StandardCharsets.US_ASCII));
            } else if (ascii(type, 0, "meta") && size <= MAX_META_BYTES) {
                byte[] meta = read(in, size - header, MAX_META_BYTES);
                alpha = contains(meta, ALPHA_URN) || contains(meta, AV1_ALPHA_URN);
            } else if (ascii(type, 0, "mdat")) {
                mdat = true;
            }
            pos = end;
        }
        if (!mdat) {
            throw new EOFException("the AVIF has no image data (mdat box): the file is truncated");
        }
        return new Avif(animated, alpha);
    }

    private static void requireWithin(ImageInputStream in, long end, String format) throws IOException {
        long length = in.length();
        if (length >= 0 && end > length) {
            throw new EOFException(format + " data runs past the end of the file: the file is truncated");
        }
        if (length < 0) {
            in.seek(end - 1);
            if (in.read() < 0) {
                throw new EOFException(format + " data runs past the end of the file: the file is truncated");
            }
        }
    }

    private static byte[] read(ImageInputStream in, long size, long max) throws IOException {
        byte[] data = new byte[(int) Math.min(size, max)];
        in.readFully(data);
        return data;
    }

    private static boolean contains(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean ascii(byte[] data, int offset, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (data[offset + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
