package io.graypipe.front.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * JPEG shrink-on-load in front of {@link GrayscaleDecoder}: when the requested scale is at most 1/2 and the JPEG
 * is an ordinary gray or YCbCr one whose luma is what the full path would produce (see
 * {@link JpegHeader#lumaDecodable()} and {@link JpegDecoder#iccAllowsLuma}), libjpeg-turbo decodes it
 * straight to gray at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the target size. The worker then
 * finishes with its exact area average. Everything else, and every JPEG the fast path cannot decode cleanly
 * (corrupt, truncated, over the limits), goes to {@link GrayscaleDecoder}, which says what is wrong.
 *
 * <p>Without libturbojpeg, or with {@code --exact-scaling}, every image takes the full path. Thread-safe.
 */
public final class ShrinkOnLoadDecoder {
    private static final Logger log = LoggerFactory.getLogger(ShrinkOnLoadDecoder.class);
    /** Shrink-on-load applies at this scale and below: the first DCT scale is 1/2. */
    static final double LARGEST_SHRINK_SCALE = 0.5;

    private final GrayscaleDecoder fullDecoder;
    private final ImageLimits limits;
    private final TurboJpeg turbo;

    ShrinkOnLoadDecoder(GrayscaleDecoder fullDecoder, ImageLimits limits, TurboJpeg turbo) {
        this.fullDecoder = Objects.requireNonNull(fullDecoder, "fullDecoder");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.turbo = turbo;
    }

    /**
     * A decoder for the front: shrinking on load through {@code turbo} unless it is empty ({@link TurboJpegLibrary}
     * has said why) or {@code exactScaling}. Says once in the log which JPEG decoder it uses.
     */
    public static ShrinkOnLoadDecoder create(ImageLimits limits, boolean exactScaling, Optional<TurboJpeg> turbo) {
        return create(limits, exactScaling, turbo, Optional.empty());
    }

    /** As {@link #create(ImageLimits, boolean, Optional)}, decoding AVIF uploads through {@code avif} when present. */
    public static ShrinkOnLoadDecoder create(ImageLimits limits, boolean exactScaling, Optional<TurboJpeg> turbo,
                                             Optional<Avif> avif) {
        GrayscaleDecoder full = new GrayscaleDecoder(limits, avif.orElse(null));
        if (exactScaling || turbo.isEmpty()) {
            log.info("JPEG decoder: imageio at full size ({})", exactScaling ? "--exact-scaling" : "no TurboJPEG");
            return new ShrinkOnLoadDecoder(full, limits, null);
        }
        log.info("JPEG decoder: turbojpeg ({}), shrink-on-load at DCT scales 1/{} for scale <= {}", turbo.get().library(),
                turbo.get().dctDenominators(), LARGEST_SHRINK_SCALE);
        return new ShrinkOnLoadDecoder(full, limits, turbo.get());
    }

    /** "turbojpeg" when JPEGs may be shrunk on load, else "imageio"; /stats shows it. */
    public String jpegDecoder() {
        return turbo != null ? "turbojpeg" : "imageio";
    }

    /** Decodes {@code source} for scaling by {@code scale}; every failure is a FrontException, as in GrayscaleDecoder. */
    public LoadedImage decode(ImageSource source, double scale) {
        if (turbo != null && scale <= LARGEST_SHRINK_SCALE) {
            LoadedImage shrunk = shrinkOnLoad(source, scale);
            if (shrunk != null) {
                return shrunk;
            }
        }
        DecodedImage decoded = fullDecoder.decode(source);
        ImageData gray = decoded.gray();
        return new LoadedImage(decoded, gray.width(), gray.height(), ScaleRequest.targetSize(gray.width(), scale),
                ScaleRequest.targetSize(gray.height(), scale), 1);
    }

    /** The shrunk image, or null when this JPEG must take the full path. */
    private LoadedImage shrinkOnLoad(ImageSource source, double scale) {
        try {
            long length = source.length();
            if (length < 3 || length > Integer.MAX_VALUE - 8) {
                return null;
            }
            byte[] bytes = source.readAllBytes();
            if (ImageFormat.sniff(bytes, Math.min(bytes.length, ImageFormat.SNIFF_BYTES)).orElse(null)
                    != ImageFormat.JPEG) {
                return null;
            }
            JpegHeader header = JpegHeader.read(new ByteArrayImageInputStream(bytes));
            if (header.width <= 0 || header.height <= 0 || !limits.allows(header.width, header.height)
                    || !header.lumaDecodable() || !JpegDecoder.iccAllowsLuma(header)) {
                return null;
            }
            // The binding checks the library's own reading of the header against the limit too, before it
            // allocates: a file that graypipe's parser and libjpeg's read differently cannot slip past it.
            TurboJpeg.Gray gray = turbo.decodeGray(bytes, bytes.length, scale,
                    Math.min(limits.maxPixels(), TurboJpeg.MAX_PIXELS));
            if (gray.fullWidth() != header.width || gray.fullHeight() != header.height) {
                return null;
            }
            ImageData upright = Orientation.apply(new ImageData(PixelFormat.GRAY8, gray.width(), gray.height(),
                    gray.pixels()), header.orientation);
            boolean swap = Orientation.swapsDimensions(header.orientation);
            int uprightWidth = swap ? header.height : header.width;
            int uprightHeight = swap ? header.width : header.height;
            return new LoadedImage(new DecodedImage(ImageFormat.JPEG, header.width, header.height, upright), uprightWidth,
                    uprightHeight, ScaleRequest.targetSize(uprightWidth, scale), ScaleRequest.targetSize(uprightHeight, scale),
                    gray.denominator());
        } catch (IOException | TurboJpeg.TurboJpegException | RuntimeException e) {
            log.debug("JPEG shrink-on-load declined this image, decoding it at full size: {}", e.toString());
            return null;
        } catch (OutOfMemoryError e) {
            return null; // the full path reports it as a FrontException
        }
    }
}
