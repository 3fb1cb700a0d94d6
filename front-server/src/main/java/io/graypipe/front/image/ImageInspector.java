package io.graypipe.front.image;

import com.drew.imaging.FileType;
import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.imaging.heif.HeifMetadataReader;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.MetadataException;
import com.drew.metadata.bmp.BmpHeaderDirectory;
import com.drew.metadata.gif.GifControlDirectory;
import com.drew.metadata.gif.GifHeaderDirectory;
import com.drew.metadata.gif.GifImageDirectory;
import com.drew.metadata.heif.HeifDirectory;
import com.drew.metadata.icc.IccDirectory;
import com.drew.metadata.png.PngDirectory;
import com.drew.metadata.webp.WebpDirectory;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.stream.ImageInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code POST /info}'s reading of an upload: format, size, orientation, colour model, alpha, ICC profile, frames and
 * EXIF, from headers and metadata only (metadata-extractor), never a pixel decoded. It refuses what the decoder
 * would refuse before decoding, with the same codes: empty, unknown signature, truncated structure (a JPEG
 * without its EOI marker, a PNG without IEND, chunks or boxes past the end), and a size past {@link ImageLimits}.
 * Thread-safe.
 */
public final class ImageInspector {
    private static final Logger log = LoggerFactory.getLogger(ImageInspector.class);
    private static final int SCAN_BUFFER = 64 * 1024;

    private final ImageLimits limits;

    public ImageInspector(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The facts of {@code source}; GPS coordinates only with {@code fullExif}. Failures are FrontExceptions. */
    public ImageFacts inspect(ImageSource source, boolean fullExif) {
        try (ImageInputStream in = source.openImageStream()) {
            return inspect(source, in, GrayscaleDecoder.formatOf(source, in), fullExif);
        } catch (FrontException e) {
            throw e;
        } catch (IOException | ImageProcessingException | MetadataException | RuntimeException e) {
            log.debug("image header read failed", e);
            boolean truncated = e instanceof EOFException;
            // graypipe's own header readers say where a file ends early; the JDK's EOFException says nothing.
            String why = truncated && e.getMessage() != null ? e.getMessage() : GrayscaleDecoder.describe(e);
            throw GrayscaleDecoder.undecodable((truncated ? "the file is truncated (" : "the image data is corrupt or truncated (")
                    + why + ")");
        }
    }

    private ImageFacts inspect(ImageSource source, ImageInputStream in, ImageFormat format, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        return switch (format) {
            case JPEG -> jpeg(source, in, fullExif);
            case PNG -> png(source, in, fullExif);
            case GIF -> gif(source, fullExif);
            case BMP -> bmp(source, in, fullExif);
            case WEBP -> webp(source, in, fullExif);
            case AVIF -> avif(source, in, fullExif);
        };
    }

    private ImageFacts jpeg(ImageSource source, ImageInputStream in, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        JpegHeader header = JpegHeader.read(in);
        limits.check(ImageFormat.JPEG, header.width, header.height);
        requireEoi(in);
        String colour = switch (header.components) {
            case 1 -> "gray";
            case 4 -> header.adobeTransform == 2 ? "ycck" : "cmyk";
            default -> "rgb";
        };
        Metadata metadata = metadata(source, FileType.Jpeg);
        return facts(ImageFormat.JPEG, header.width, header.height, header.orientation, colour, header.precision,
                false, metadata, 1, false, fullExif);
    }

    /** libjpeg's "premature end" check without decoding: the entropy-coded data must end in an EOI marker. */
    private static void requireEoi(ImageInputStream in) throws IOException {
        byte[] buffer = new byte[SCAN_BUFFER];
        boolean afterFf = false;
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = buffer[i] & 0xff;
                if (afterFf && b == 0xD9) {
                    return;
                }
                afterFf = b == 0xFF;
            }
        }
        throw new EOFException("Premature end of JPEG file: no EOI marker");
    }

    private ImageFacts png(ImageSource source, ImageInputStream in, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        PngChunks chunks = PngChunks.read(in);
        Metadata metadata = metadata(source, FileType.Png);
        PngDirectory ihdr = metadata.getFirstDirectoryOfType(PngDirectory.class);
        if (ihdr == null) {
            throw new EOFException("the PNG has no IHDR chunk");
        }
        int width = ihdr.getInt(PngDirectory.TAG_IMAGE_WIDTH);
        int height = ihdr.getInt(PngDirectory.TAG_IMAGE_HEIGHT);
        limits.check(ImageFormat.PNG, width, height);
        int colourType = ihdr.getInt(PngDirectory.TAG_COLOR_TYPE);
        boolean transparency = false;
        for (PngDirectory directory : metadata.getDirectoriesOfType(PngDirectory.class)) {
            transparency |= directory.containsTag(PngDirectory.TAG_PALETTE_HAS_TRANSPARENCY);
        }
        String colour = switch (colourType) {
            case 0, 4 -> "gray";
            case 3 -> "palette";
            default -> "rgb";
        };
        return facts(ImageFormat.PNG, width, height, chunks.orientation, colour, ihdr.getInt(PngDirectory.TAG_BITS_PER_SAMPLE),
                colourType == 4 || colourType == 6 || transparency, metadata, 1, false, fullExif);
    }

    private ImageFacts gif(ImageSource source, boolean fullExif) throws IOException, ImageProcessingException, MetadataException {
        Metadata metadata = metadata(source, FileType.Gif);
        GifHeaderDirectory header = metadata.getFirstDirectoryOfType(GifHeaderDirectory.class);
        int frames = metadata.getDirectoriesOfType(GifImageDirectory.class).size();
        boolean cutShort = false;
        for (Directory directory : metadata.getDirectories()) {
            cutShort |= directory.hasErrors();
        }
        if (header == null || frames == 0 || (cutShort && frames == 1)) {
            throw new EOFException("the GIF ends before its first frame is complete");
        }
        int width = header.getInt(GifHeaderDirectory.TAG_IMAGE_WIDTH);
        int height = header.getInt(GifHeaderDirectory.TAG_IMAGE_HEIGHT);
        limits.check(ImageFormat.GIF, width, height);
        boolean transparent = false;
        for (GifControlDirectory control : metadata.getDirectoriesOfType(GifControlDirectory.class)) {
            transparent |= control.isTransparent();
        }
        // Bits per index from the global colour table's size (2^bits entries), as exiftool and Pillow count them.
        Integer tableSize = header.getInteger(GifHeaderDirectory.TAG_COLOR_TABLE_SIZE);
        int bits = tableSize == null || tableSize < 2 ? 8 : Integer.numberOfTrailingZeros(Integer.highestOneBit(tableSize));
        return facts(ImageFormat.GIF, width, height, 1, "palette", bits, transparent, metadata, frames,
                frames > 1, fullExif);
    }

    private ImageFacts bmp(ImageSource source, ImageInputStream in, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        BmpHeader header = BmpHeader.read(in);
        limits.check(ImageFormat.BMP, header.width, header.height);
        header.checkComplete(in);
        Metadata metadata = metadata(source, FileType.Bmp);
        BmpHeaderDirectory bmp = metadata.getFirstDirectoryOfType(BmpHeaderDirectory.class);
        int bits = bmp == null ? 24 : bmp.getInt(BmpHeaderDirectory.TAG_BITS_PER_PIXEL);
        Long alphaMask = bmp == null ? null : bmp.getLongObject(BmpHeaderDirectory.TAG_ALPHA_MASK);
        return facts(ImageFormat.BMP, (int) header.width, (int) header.height, 1, bits <= 8 ? "palette" : "rgb",
                bits <= 8 ? bits : 8, bits == 32 && alphaMask != null && alphaMask != 0, metadata, 1, false, fullExif);
    }

    private ImageFacts webp(ImageSource source, ImageInputStream in, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        int frames = WebpAvifHeaders.webpFrames(in);
        Metadata metadata = metadata(source, FileType.WebP);
        WebpDirectory webp = metadata.getFirstDirectoryOfType(WebpDirectory.class);
        if (webp == null || !webp.containsTag(WebpDirectory.TAG_IMAGE_WIDTH)) {
            throw new EOFException("the WebP has no image header");
        }
        int width = webp.getInt(WebpDirectory.TAG_IMAGE_WIDTH);
        int height = webp.getInt(WebpDirectory.TAG_IMAGE_HEIGHT);
        limits.check(ImageFormat.WEBP, width, height);
        boolean alpha = false;
        boolean animation = false;
        for (WebpDirectory directory : metadata.getDirectoriesOfType(WebpDirectory.class)) {
            alpha |= directory.containsTag(WebpDirectory.TAG_HAS_ALPHA) && directory.getBoolean(WebpDirectory.TAG_HAS_ALPHA);
            animation |= directory.containsTag(WebpDirectory.TAG_IS_ANIMATION)
                    && directory.getBoolean(WebpDirectory.TAG_IS_ANIMATION);
        }
        return facts(ImageFormat.WEBP, width, height, Exif.orientation(metadata), "rgb", 8, alpha, metadata, frames,
                animation || frames > 1, fullExif);
    }

    private ImageFacts avif(ImageSource source, ImageInputStream in, boolean fullExif)
            throws IOException, ImageProcessingException, MetadataException {
        WebpAvifHeaders.Avif boxes = WebpAvifHeaders.avif(in);
        Metadata metadata;
        try (InputStream stream = new BufferedInputStream(source.openStream())) {
            metadata = HeifMetadataReader.readMetadata(stream);
        }
        HeifDirectory size = null;
        for (HeifDirectory directory : metadata.getDirectoriesOfType(HeifDirectory.class)) {
            if (size == null && directory.containsTag(HeifDirectory.TAG_IMAGE_WIDTH)) {
                size = directory;
            }
        }
        if (size == null) {
            throw new EOFException("the AVIF has no image size (ispe) property");
        }
        int width = size.getInt(HeifDirectory.TAG_IMAGE_WIDTH);
        int height = size.getInt(HeifDirectory.TAG_IMAGE_HEIGHT);
        limits.check(ImageFormat.AVIF, width, height);
        int[] channelBits = size.getIntArray(HeifDirectory.TAG_BITS_PER_CHANNEL);
        int bits = channelBits == null || channelBits.length == 0 ? 8 : channelBits[0];
        String colour = channelBits != null && channelBits.length == 1 ? "gray" : "rgb";
        return facts(ImageFormat.AVIF, width, height, Exif.orientation(metadata), colour, bits, boxes.hasAlpha(), metadata,
                boxes.animated() ? null : 1, boxes.animated(), fullExif);
    }

    private static Metadata metadata(ImageSource source, FileType type) throws IOException, ImageProcessingException, MetadataException {
        try (InputStream stream = new BufferedInputStream(source.openStream())) {
            return ImageMetadataReader.readMetadata(stream, source.length(), type);
        }
    }

    private static ImageFacts facts(ImageFormat format, int width, int height, int orientation, String colour, int bits,
                                    boolean alpha, Metadata metadata, Integer frames, boolean animated,
                                    boolean fullExif) throws IOException {
        // No format has samples of 0 or more than 16 bits: a header that says so is damaged (F15, F16, F17).
        if (bits < 1 || bits > 16) {
            throw new IOException("the " + format.label().toUpperCase(Locale.ROOT) + " header gives " + bits + "-bit samples");
        }
        boolean swap = Orientation.swapsDimensions(orientation);
        IccDirectory icc = metadata.getFirstDirectoryOfType(IccDirectory.class);
        ImageFacts.Icc profile = new ImageFacts.Icc(icc != null, icc == null ? null
                : iccDescription(icc.getByteArray(IccDirectory.TAG_TAG_desc)));
        return new ImageFacts(format, width, height, orientation, swap ? height : width, swap ? width : height, colour,
                bits, alpha, profile, frames, animated, Exif.summary(metadata, fullExif));
    }

    /**
     * The text of an ICC 'desc' tag: ICC v2's textDescriptionType (ASCII) or v4's multiLocalizedUnicodeType (its
     * first record, UTF-16BE); null when absent or malformed.
     */
    private static String iccDescription(byte[] tag) {
        if (tag == null || tag.length < 12) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(tag);
        String type = new String(tag, 0, 4, StandardCharsets.US_ASCII);
        if (type.equals("desc")) {
            long count = b.getInt(8) & 0xffffffffL;
            int length = (int) Math.min(count, tag.length - 12);
            return length <= 0 ? null : blankToNull(new String(tag, 12, length, StandardCharsets.US_ASCII).replace("\0", ""));
        }
        if (type.equals("mluc") && tag.length >= 28 && b.getInt(8) > 0) {
            long length = b.getInt(20) & 0xffffffffL;
            long offset = b.getInt(24) & 0xffffffffL;
            if (offset + length <= tag.length) {
                return blankToNull(new String(tag, (int) offset, (int) length, StandardCharsets.UTF_16BE));
            }
        }
        return null;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
