package io.graypipe.front.image;

import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A structural walk over a PNG's chunks that reads no pixel data: it proves the file is complete (every chunk
 * lies inside the file and IEND is present, which the JDK reader does not check) and picks up the EXIF
 * orientation from an eXIf chunk.
 */
final class PngChunks {
    private static final int IEND = 0x49454E44;
    private static final int EXIF = 0x65584966;
    private static final int MAX_EXIF = 1 << 16;

    int orientation = 1;

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
                chunks.orientation = Exif.orientation(data, 0, data.length);
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
}
