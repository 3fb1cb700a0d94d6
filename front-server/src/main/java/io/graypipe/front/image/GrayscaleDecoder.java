package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.codec.Avif;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes an uploaded JPEG, PNG, GIF, BMP, WebP or AVIF into upright 8-bit gray (BT.601 luma), with alpha when the
 * source has it. The format comes from the file's first bytes ({@link ImageFormat#sniff}), never from its name or
 * content type; each format has its {@link FormatDecoder} ({@link JpegDecoder}, {@link PngDecoder},
 * {@link GifDecoder}, {@link BmpDecoder}, {@link WebpDecoder}, {@link AvifDecoder}), which checks the header's size
 * against {@link ImageLimits} before any pixel is decoded and honours EXIF orientation and embedded ICC profiles.
 *
 * <p>Every failure is an {@link FrontException}: {@code EMPTY_IMAGE}, {@code UNSUPPORTED_MEDIA_TYPE},
 * {@code IMAGE_TOO_LARGE} or {@code UNDECODABLE_IMAGE}. Thread-safe: readers are created per call.
 */
public final class GrayscaleDecoder {
    private static final Logger log = LoggerFactory.getLogger(GrayscaleDecoder.class);
    private static final String HOW_TO_FIX = "; re-save or re-export it as an ordinary JPEG or PNG and upload that";

    static {
        ImageIO.scanForPlugins(); // before any format decoder looks for its ImageIO readers (TwelveMonkeys')
    }

    private final Map<ImageFormat, FormatDecoder> decoders = new EnumMap<>(ImageFormat.class);

    public GrayscaleDecoder(ImageLimits limits) {
        this(limits, null);
    }

    /** A decoder that reads AVIF uploads through {@code avif}, or refuses them when it is null. */
    public GrayscaleDecoder(ImageLimits limits, Avif avif) {
        Objects.requireNonNull(limits, "limits");
        for (ImageFormat format : ImageFormat.values()) {
            decoders.put(format, switch (format) {
                case JPEG -> new JpegDecoder(limits);
                case PNG -> new PngDecoder(limits);
                case GIF -> new GifDecoder(limits);
                case BMP -> new BmpDecoder(limits);
                case WEBP -> new WebpDecoder(limits);
                case AVIF -> new AvifDecoder(limits, avif);
            });
        }
    }

    public DecodedImage decode(ImageSource source) {
        try (ImageInputStream in = source.openImageStream()) {
            ImageFormat format = formatOf(source, in);
            return decoders.get(format).decode(in);
        } catch (FrontException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            log.warn("out of memory decoding an image", e);
            throw undecodable("the image needs more memory to decode than is available");
        } catch (IOException | RuntimeException e) {
            log.debug("image decode failed", e);
            throw undecodable("the image data is corrupt or truncated (" + describe(e) + ")");
        } catch (StackOverflowError | InternalError e) {
            log.warn("decoder failed on an image", e);
            throw undecodable("the image could not be decoded (" + describe(e) + ")");
        }
    }

    /**
     * The format of the upload whose stream {@code in} is at its start, which it is left at: {@code EMPTY_IMAGE}
     * for no bytes, {@code UNSUPPORTED_MEDIA_TYPE} for a signature of no format graypipe reads.
     */
    static ImageFormat formatOf(ImageSource source, ImageInputStream in) throws IOException {
        byte[] magic = new byte[ImageFormat.SNIFF_BYTES];
        int n = source.length() == 0 ? 0 : readUpTo(in, magic);
        if (n == 0) {
            throw new FrontException(ErrorCode.EMPTY_IMAGE, "the uploaded image is empty (0 bytes); send the file's contents");
        }
        ImageFormat format = ImageFormat.sniff(magic, n).orElseThrow(() -> new FrontException(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "the upload is not a JPEG, PNG, GIF, BMP, WebP or AVIF image (unrecognised file signature); "
                        + "convert it to JPEG or PNG"));
        in.seek(0);
        return format;
    }

    private static int readUpTo(ImageInputStream in, byte[] into) throws IOException {
        int total = 0;
        while (total < into.length) {
            int r = in.read(into, total, into.length - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    static FrontException undecodable(String why) {
        return new FrontException(ErrorCode.UNDECODABLE_IMAGE, "the image could not be decoded: " + why + HOW_TO_FIX);
    }

    /**
     * Why a read failed, for the client: a reader's own message (a checked exception: "Premature end of JPEG", a
     * header parser's words), never a runtime exception's or an error's text, which is a reader's bug showing
     * ("Cannot invoke ... because ... is null", "Index 5 out of bounds", F13) and says nothing about the file.
     */
    static String describe(Throwable e) {
        if (e instanceof EOFException) {
            return "the file ends early";
        }
        String message = e.getMessage();
        if (e instanceof RuntimeException || e instanceof Error || message == null || message.isBlank()) {
            return "a reader stopped on data it could not make sense of";
        }
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }
}
