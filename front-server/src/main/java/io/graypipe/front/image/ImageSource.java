package io.graypipe.front.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bytes of an uploaded image, in memory or in a temporary file. */
public interface ImageSource {
    InputStream openStream() throws IOException;

    long length();

    static ImageSource of(byte[] bytes) {
        return new ImageSource() {
            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long length() {
                return bytes.length;
            }
        };
    }

    static ImageSource of(Path file) {
        return new ImageSource() {
            @Override
            public InputStream openStream() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public long length() {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }
        };
    }
}
