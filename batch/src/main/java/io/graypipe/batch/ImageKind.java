package io.graypipe.batch;

import io.graypipe.protocol.ImageFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What is an image: a file whose first bytes are those of a format the front reads ({@link ImageFormat}). */
final class ImageKind {
    private ImageKind() {
    }

    /** The format the file starts with; empty for anything else, including unreadable files. */
    static Optional<ImageFormat> of(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ImageFormat.SNIFF_BYTES);
        } catch (IOException e) {
            return Optional.empty();
        }
        return ImageFormat.sniff(head, head.length);
    }
}
