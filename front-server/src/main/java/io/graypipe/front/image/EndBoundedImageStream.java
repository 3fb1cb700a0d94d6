package io.graypipe.front.image;

import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;

/**
 * A view of an upload's stream that fails once a reader has asked for bytes past its end too many times.
 *
 * <p>Why: TwelveMonkeys' lossless WebP (VP8L) reader treats the end of the data as more zero bits and reads on. A
 * 72-byte file whose entropy-coded part claims tens of thousands of Huffman groups kept a decoding thread busy for
 * minutes that way (docs/fuzzing.md, F19), and the pixel limits cannot see it, since the image is small. A valid
 * file's reader looks past the end only to fill its last bit buffer, a few times; {@link #ALLOWED_READS_PAST_END}
 * leaves a wide margin for that and still ends a damaged file within microseconds.
 *
 * <p>It does not close the stream it reads: its owner does.
 */
final class EndBoundedImageStream extends ImageInputStreamImpl {
    static final int ALLOWED_READS_PAST_END = 4096;
    private final ImageInputStream in;
    private int readsPastEnd;

    EndBoundedImageStream(ImageInputStream in) throws IOException {
        this.in = in;
        this.streamPos = in.getStreamPosition();
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        int b = in.read();
        if (b < 0) {
            pastEnd();
            return -1;
        }
        streamPos++;
        return b;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        checkClosed();
        bitOffset = 0;
        int n = in.read(into, offset, length);
        if (n < 0) {
            pastEnd();
            return -1;
        }
        streamPos += n;
        return n;
    }

    @Override
    public void seek(long position) throws IOException {
        super.seek(position);
        in.seek(position);
    }

    @Override
    public long length() {
        try {
            return in.length();
        } catch (IOException e) {
            return -1;
        }
    }

    private void pastEnd() throws IIOException {
        if (++readsPastEnd > ALLOWED_READS_PAST_END) {
            throw new IIOException("its data ends long before its image does (the file is cut short or damaged)");
        }
    }
}
