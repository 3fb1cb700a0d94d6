package io.graypipe.front.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the bytes of an uploaded image live: memory or a temporary file. {@link #openStream()} may be called
 * more than once; each call returns a fresh stream from the first byte.
 */
public interface ImageSource {
    InputStream openStream() throws IOException;

    /** Size in bytes. */
    long length();

    /** The whole file in one array; sources held in memory return their array itself, which must not be modified. */
    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }

    /**
     * A seekable stream for ImageIO. The default buffers {@link #openStream()} in memory as it is read;
     * sources with random access override it to avoid that copy. Closing it closes the underlying stream.
     */
    default ImageInputStream openImageStream() throws IOException {
        InputStream in = openStream();
        return new MemoryCacheImageInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    in.close();
                }
            }
        };
    }

    /** Wraps {@code bytes} without copying; the caller must not modify them while the source is in use. */
    static ImageSource of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new ImageSource() {
            @Override
            public InputStream openStream() {
                return new java.io.ByteArrayInputStream(bytes);
            }

            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public byte[] readAllBytes() {
                return bytes;
            }

            @Override
            public ImageInputStream openImageStream() {
                return new ByteArrayImageInputStream(bytes);
            }
        };
    }

    /** A file that stays in place while the source is in use. */
    static ImageSource of(Path file) {
        Objects.requireNonNull(file, "file");
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
                    return -1;
                }
            }

            @Override
            public ImageInputStream openImageStream() throws IOException {
                return new FileImageInputStream(file.toFile());
            }
        };
    }
}
