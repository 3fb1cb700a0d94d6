package io.graypipe.front.image;

import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * The parts of a JPEG's marker segments that decide how to decode it: frame size and components, the Adobe
 * APP14 transform, an embedded ICC profile and the EXIF orientation. Reads segments up to the first SOS only.
 */
final class JpegHeader {
    private static final byte[] EXIF_ID = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ICC_ID = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ADOBE_ID = "Adobe".getBytes(StandardCharsets.ISO_8859_1);
    /** ICC profiles over this size are ignored rather than buffered. */
    private static final int MAX_ICC_BYTES = 4 << 20;

    int width;
    int height;
    int precision;
    int components;
    int[] componentIds = new int[0];
    int sofMarker;
    /** The Adobe APP14 transform flag (0 none/CMYK/RGB, 1 YCbCr, 2 YCCK), or -1 without such a segment. */
    int adobeTransform = -1;
    boolean jfif;
    byte[] icc;
    int orientation = 1;

    boolean progressive() {
        return sofMarker == 0xC2 || sofMarker == 0xC6 || sofMarker == 0xCA || sofMarker == 0xCE;
    }

    /** Whether the Y channel is BT.601 luma of the stored colour: a gray or YCbCr 8-bit Huffman frame. */
    boolean lumaDecodable() {
        if (precision != 8 || !(sofMarker == 0xC0 || sofMarker == 0xC1 || sofMarker == 0xC2)) {
            return false;
        }
        if (components == 1) {
            return true;
        }
        if (components != 3 || adobeTransform == 0) {
            return false;
        }
        // Without JFIF or Adobe markers, component ids 'R','G','B' mean stored RGB (libjpeg's rule).
        boolean rgbIds = componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B';
        return jfif || adobeTransform == 1 || !rgbIds;
    }

    /** Parses from the current position, which must be the SOI marker. */
    static JpegHeader read(ImageInputStream in) throws IOException {
        JpegHeader header = new JpegHeader();
        if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0xD8) {
            throw new IOException("not a JPEG: no SOI marker");
        }
        TreeMap<Integer, byte[]> iccChunks = new TreeMap<>();
        boolean sof = false;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("JPEG ends before its image data");
            }
            if (b != 0xFF) {
                continue; // garbage between segments; libjpeg tolerates it with a warning
            }
            int marker;
            do {
                marker = in.read();
            } while (marker == 0xFF);
            if (marker < 0) {
                throw new EOFException("JPEG ends before its image data");
            }
            if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // no length
            }
            if (marker == 0xD9) {
                throw new IOException("JPEG ends (EOI) before its image data");
            }
            int length = in.readUnsignedShort();
            if (length < 2) {
                throw new IOException("bad JPEG segment length " + length);
            }
            int size = length - 2;
            if (marker == 0xDA) {
                if (!sof) {
                    throw new IOException("JPEG scan before frame header");
                }
                break;
            }
            if (isSof(marker)) {
                byte[] data = readFully(in, size);
                if (size < 6) {
                    throw new IOException("short JPEG frame header");
                }
                header.sofMarker = marker;
                header.precision = data[0] & 0xff;
                header.height = ((data[1] & 0xff) << 8) | (data[2] & 0xff);
                header.width = ((data[3] & 0xff) << 8) | (data[4] & 0xff);
                header.components = data[5] & 0xff;
                // ITU T.81: 8 or 12 bits for DCT, 2 to 16 lossless; /info reported a 0-bit JPEG (F16).
                if (header.precision < 2 || header.precision > 16 || header.components == 0) {
                    throw new IOException("JPEG frame header with " + header.precision + "-bit samples and "
                            + header.components + " components");
                }
                if (size < 6 + 3 * header.components) {
                    throw new IOException("short JPEG frame header");
                }
                header.componentIds = new int[header.components];
                for (int i = 0; i < header.components; i++) {
                    header.componentIds[i] = data[6 + 3 * i] & 0xff;
                }
                sof = true;
            } else if (marker == 0xE0) {
                byte[] data = readFully(in, size);
                header.jfif |= startsWith(data, "JFIF\0".getBytes(StandardCharsets.ISO_8859_1));
            } else if (marker == 0xE1) {
                byte[] data = readFully(in, size);
                if (startsWith(data, EXIF_ID) && header.orientation == 1) {
                    header.orientation = Exif.orientation(data, EXIF_ID.length);
                }
            } else if (marker == 0xE2) {
                byte[] data = readFully(in, size);
                if (startsWith(data, ICC_ID) && data.length > ICC_ID.length + 2) {
                    int seq = data[ICC_ID.length] & 0xff;
                    byte[] chunk = java.util.Arrays.copyOfRange(data, ICC_ID.length + 2, data.length);
                    iccChunks.putIfAbsent(seq, chunk);
                }
            } else if (marker == 0xEE) {
                byte[] data = readFully(in, size);
                if (startsWith(data, ADOBE_ID) && data.length >= 12) {
                    header.adobeTransform = data[11] & 0xff;
                }
            } else {
                skipFully(in, size);
            }
        }
        if (!iccChunks.isEmpty()) {
            ByteArrayOutputStream profile = new ByteArrayOutputStream();
            for (byte[] chunk : iccChunks.values()) {
                if (profile.size() + chunk.length > MAX_ICC_BYTES) {
                    profile = null;
                    break;
                }
                profile.write(chunk, 0, chunk.length);
            }
            header.icc = profile == null ? null : profile.toByteArray();
        }
        return header;
    }

    private static boolean isSof(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static byte[] readFully(ImageInputStream in, int size) throws IOException {
        byte[] data = new byte[size];
        in.readFully(data);
        return data;
    }

    private static void skipFully(ImageInputStream in, int size) throws IOException {
        long target = in.getStreamPosition() + size;
        in.seek(target);
        if (in.length() >= 0 && target > in.length()) {
            throw new EOFException("JPEG segment runs past the end of the file");
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
