package io.graypipe.front.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A structural walk over a PNG's chunks that reads no pixel data: it proves the file is complete (every chunk
 * lies inside the file and IEND is present, which the JDK reader does not check) and picks up what the JDK
 * reader ignores: the EXIF orientation from eXIf, and the colour chunks iCCP, sRGB and gAMA.
 */
final class PngChunks {
    private static final Logger log = LoggerFactory.getLogger(PngChunks.class);
    private static final int IEND = 0x49454E44;
    private static final int EXIF = 0x65584966;
    private static final int ICCP = 0x69434350;
    private static final int SRGB = 0x73524742;
    private static final int GAMA = 0x67414D41;
    private static final int MAX_EXIF = 1 << 16;
    /** Larger than any display profile; an iCCP that inflates past it is ignored rather than trusted. */
    private static final int MAX_ICC = 4 << 20;
    private static final byte[] EXIF_PREFIX = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);

    int orientation = 1;
    /** The inflated iCCP profile, or null when there is none or it cannot be inflated. */
    byte[] iccProfile;
    /** Whether an sRGB chunk declares the pixels sRGB. */
    boolean srgb;
    /** gAMA's encoding gamma times 100000, or 0 when there is no usable gAMA. */
    long gamma;

    private PngChunks() {
    }

    /** Walks from the current position, which must be the start of the file. */
    static PngChunks read(ImageInputStream in) throws IOException {
        PngChunks chunks = new PngChunks();
        long fileLength = in.length();
        in.seek(8);
        while (true) {
            long start = in.getStreamPosition();
            if (fileLength >= 0 && start + 12 > fileLength) {
                throw new EOFException("PNG ends before its IEND chunk: the file is truncated");
            }
            long length = in.readUnsignedInt();
            int type = in.readInt();
            if (length > Integer.MAX_VALUE) {
                throw new IOException("PNG chunk length " + length + " is invalid");
            }
            long end = start + 12 + length;
            if (fileLength >= 0 && end > fileLength) {
                throw new EOFException("PNG chunk runs past the end of the file: the file is truncated");
            }
            if (type == IEND) {
                return chunks;
            }
            if (type == EXIF && length <= MAX_EXIF) {
                byte[] data = new byte[(int) length];
                in.readFully(data);
                // Some writers copy the JPEG APP1 layout, "Exif\0\0" before the TIFF header, into eXIf.
                int skip = startsWith(data, EXIF_PREFIX) ? EXIF_PREFIX.length : 0;
                chunks.orientation = Exif.orientation(data, skip);
            } else if (type == ICCP && length <= MAX_ICC) {
                byte[] data = new byte[(int) length];
                in.readFully(data);
                chunks.iccProfile = inflateProfile(data);
            } else if (type == SRGB && length == 1) {
                chunks.srgb = true;
            } else if (type == GAMA && length == 4) {
                chunks.gamma = in.readUnsignedInt();
            }
            in.seek(end);
            if (fileLength < 0) {
                // Unknown length: make sure the chunk is really there by reading its last byte.
                in.seek(end - 1);
                if (in.read() < 0) {
                    throw new EOFException("PNG chunk runs past the end of the file: the file is truncated");
                }
            }
        }
    }

    /** iCCP is a 1–79 byte name, NUL, compression method 0, then the zlib-compressed profile. */
    private static byte[] inflateProfile(byte[] data) {
        int nul = 0;
        while (nul < data.length && nul < 80 && data[nul] != 0) {
            nul++;
        }
        if (nul == 0 || nul >= 80 || nul + 2 > data.length || data[nul + 1] != 0) {
            log.debug("ignoring a malformed iCCP chunk");
            return null;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, nul + 2, data.length - nul - 2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    log.debug("ignoring an iCCP chunk whose profile is cut short");
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_ICC) {
                    log.debug("ignoring an iCCP chunk whose profile inflates past {} bytes", MAX_ICC);
                    return null;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            log.debug("ignoring an iCCP chunk that is not valid zlib data: {}", e.getMessage());
            return null;
        } finally {
            inflater.end();
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
