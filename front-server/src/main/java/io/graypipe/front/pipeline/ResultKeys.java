package io.graypipe.front.pipeline;

import io.graypipe.front.cache.CacheKey;
import io.graypipe.front.image.ImageSource;
import io.graypipe.protocol.MessageCodec;

import java.io.IOException;
import java.io.InputStream;

/**
 * Makes the {@link CacheKey} of an upload and its options. The encoder identity names what makes the bytes and
 * is not in the options: the protocol version (a new one may change an encoder's output) and the front's JPEG
 * decoder ({@code turbojpeg} shrinks JPEGs on load, {@code imageio} decodes them at full size, and the two give
 * slightly different pixels).
 */
public final class ResultKeys {
    private final boolean exactScaling;
    private final String encoder;

    /** @param jpegDecoder the front's JPEG decoder, {@code ShrinkOnLoadDecoder.jpegDecoder()} */
    public ResultKeys(boolean exactScaling, String jpegDecoder) {
        this.exactScaling = exactScaling;
        this.encoder = "protocol-" + MessageCodec.VERSION + ";jpeg-decoder=" + jpegDecoder;
    }

    /** Hashes the upload's bytes: call it on a gray thread. */
    CacheKey keyFor(ImageSource source, ProcessingOptions options) throws IOException {
        String content;
        try (InputStream in = source.openStream()) {
            content = CacheKey.contentHash(in);
        }
        return new CacheKey(content, options.cache().scope(), Double.toString(options.scale()),
                options.format() == null ? "input" : options.format().label(), options.quality(),
                options.lossless(), options.ops().toString(), exactScaling, encoder);
    }
}
