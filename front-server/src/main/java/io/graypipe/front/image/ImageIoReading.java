package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * ImageIO as the decoders use it: the reader of a format's preferred plugin, and one way to read a first image,
 * its size checked against the limits before any pixel is decoded and the readers' "it ended early, I filled in
 * gray" warnings turned into failures.
 */
final class ImageIoReading {
    private static final Logger log = LoggerFactory.getLogger(ImageIoReading.class);
    /** The JDK's own plugins. */
    static final String JDK = "com.sun.imageio.";
    /** TwelveMonkeys' plugins. */
    static final String TWELVEMONKEYS = "com.twelvemonkeys.imageio.";

    private ImageIoReading() {
    }

    /** The first image in {@code in}, read by {@code format}'s reader from {@code preferredPlugin}'s package if any. */
    static BufferedImage read(ImageInputStream in, ImageFormat format, String preferredPlugin, ImageLimits limits)
            throws IOException {
        return read(reader(format, preferredPlugin), in, true, format, limits, param -> {
        });
    }

    /**
     * The first image in {@code in}, read by {@code reader} (which this disposes of) with its default parameters as
     * {@code setUp} changes them; {@code ignoreMetadata} as in {@link ImageReader#setInput(Object, boolean, boolean)}.
     */
    static BufferedImage read(ImageReader reader, ImageInputStream in, boolean ignoreMetadata, ImageFormat format,
                              ImageLimits limits, Consumer<ImageReadParam> setUp) throws IOException {
        try {
            WarningCollector warnings = new WarningCollector();
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, ignoreMetadata);
            limits.check(format, reader.getWidth(0), reader.getHeight(0));
            ImageReadParam param = reader.getDefaultReadParam();
            setUp.accept(param);
            BufferedImage image = reader.read(0, param);
            warnings.throwIfFatal();
            return image;
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(ImageFormat format, String preferredPlugin) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.label());
        ImageReader fallback = null;
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith(preferredPlugin)) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return reader;
            }
            if (fallback == null) {
                fallback = reader;
            } else {
                reader.dispose();
            }
        }
        if (fallback == null) {
            throw new IllegalStateException("no ImageIO reader for " + format.label());
        }
        return fallback;
    }

    /** Turns the JPEG reader's "it ended early, I filled in gray" warnings into failures. */
    private static final class WarningCollector implements IIOReadWarningListener {
        private String fatal;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String lower = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("unexpected end")) {
                if (fatal == null) {
                    fatal = warning;
                }
            } else {
                log.debug("image reader warning: {}", warning);
            }
        }

        void throwIfFatal() {
            if (fatal != null) {
                throw new FrontException(ErrorCode.UNDECODABLE_IMAGE, "the image could not be decoded: the file is "
                        + "truncated (" + fatal + "); upload the complete file");
            }
        }
    }
}
