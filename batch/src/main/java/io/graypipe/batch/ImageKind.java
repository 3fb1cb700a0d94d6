package io.graypipe.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** The image formats the front reads, recognised from a file's first bytes, never from its name. */
enum ImageKind {
    JPEG(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}),
    PNG(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}),
    GIF87(new byte[] {'G', 'I', 'F', '8', '7', 'a'}),
    GIF89(new byte[] {'G', 'I', 'F', '8', '9', 'a'}),
    BMP(new byte[] {'B', 'M'});

    private static final int LONGEST_SIGNATURE = 8;
    private final byte[] signature;

    ImageKind(byte[] signature) {
        this.signature = signature;
    }

    /** The kind whose signature the file starts with; empty for anything else, including unreadable files. */
    static Optional<ImageKind> of(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(LONGEST_SIGNATURE);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (ImageKind kind : values()) {
            if (head.length >= kind.signature.length
                    && Arrays.equals(head, 0, kind.signature.length, kind.signature, 0, kind.signature.length)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The format the front writes when no {@code format} is asked for: the input's when JPEG or PNG, else PNG. */
    String defaultOutputFormat() {
        return this == JPEG ? "jpeg" : "png";
    }
}
