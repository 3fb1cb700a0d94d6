package io.graypipe.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The upload formats graypipe reads, recognised from a file's first bytes, never from its name: the one list the
 * front and the batch CLI share. The front has one decoder per format (chosen by an exhaustive switch, so a new
 * format does not compile without one), and {@code POST /info} reads each format's headers by the same enum; the
 * batch CLI takes a file for an image when it starts like one.
 */
public enum ImageFormat {
    JPEG(0, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}),
    PNG(0, new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}),
    GIF(0, new byte[]{'G', 'I', 'F', '8'}),
    BMP(0, new byte[]{'B', 'M'}),
    /** A RIFF container of type WEBP (lossy, lossless or extended); its bytes 4 to 7 are the file's size. */
    WEBP(8, new byte[]{'W', 'E', 'B', 'P'}),
    /** An ISO base media file whose major brand is {@code avif} (a still image) or {@code avis} (a sequence). */
    AVIF(4, new byte[]{'f', 't', 'y', 'p', 'a', 'v', 'i'});

    /** Bytes {@link #sniff} needs to tell every format apart. */
    public static final int SNIFF_BYTES = 12;

    private final int offset;
    private final byte[] signature;

    ImageFormat(int offset, byte[] signature) {
        this.offset = offset;
        this.signature = signature;
    }

    /** Lower-case name as in JSON and logs: {@code jpeg}, {@code png}, {@code gif}, {@code bmp}, {@code webp}, {@code avif}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The output format when none is asked for: JPEG for a JPEG, PNG for every other (it keeps alpha). */
    public OutputFormat defaultOutput() {
        return this == JPEG ? OutputFormat.JPEG : OutputFormat.PNG;
    }

    /** The format of a file starting with {@code head[0..n)}; empty for anything else. */
    public static Optional<ImageFormat> sniff(byte[] head, int n) {
        for (ImageFormat format : values()) {
            if (format.matches(head, n)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    private boolean matches(byte[] head, int n) {
        int end = offset + signature.length;
        if (n < end || !Arrays.equals(head, offset, end, signature, 0, signature.length)) {
            return false;
        }
        return switch (this) {
            case GIF -> n >= 6 && (head[4] == '7' || head[4] == '9') && head[5] == 'a';
            case WEBP -> head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F';
            case AVIF -> n >= 12 && (head[11] == 'f' || head[11] == 's');
            default -> true;
        };
    }
}
