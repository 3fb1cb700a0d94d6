package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.PixelFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;

/**
 * Decodes an uploaded JPEG, PNG, GIF, BMP, WebP or AVIF into upright 8-bit gray (BT.601 luma), with alpha when the
 * source has it. GIFs are read by {@link GifFirstFrame}, BMPs and WebPs by TwelveMonkeys' readers (an animated
 * WebP gives its first frame), AVIFs by libavif ({@link AvifInput}), PNGs by the JDK's. The format comes from the magic bytes; the header's size is checked against {@link ImageLimits}
 * before any pixel is decoded; EXIF orientation and embedded ICC profiles are honoured. Ordinary YCbCr and
 * gray JPEGs take a fast path that has libjpeg decode the luma channel only.
 *
 * <p>Every failure is an {@link FrontException}: {@code EMPTY_IMAGE}, {@code UNSUPPORTED_MEDIA_TYPE},
 * {@code IMAGE_TOO_LARGE} or {@code UNDECODABLE_IMAGE}. Thread-safe: readers are created per call.
 */
public final class GrayscaleDecoder {
    private static final Logger log = LoggerFactory.getLogger(GrayscaleDecoder.class);
    private static final String JDK_JPEG_SPI = "com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi";
    private static final String TWELVEMONKEYS_JPEG_SPI = "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi";
    private static final String HOW_TO_FIX = "; re-save or re-export it as an ordinary JPEG or PNG and upload that";

    private static final ImageReaderSpi JDK_JPEG;
    private static final ImageReaderSpi GENERAL_JPEG;

    static {
        ImageIO.scanForPlugins();
        ImageReaderSpi jdk = null;
        ImageReaderSpi twelve = null;
        Iterator<ImageReaderSpi> spis = IIORegistry.getDefaultInstance()
                .getServiceProviders(ImageReaderSpi.class, true);
        while (spis.hasNext()) {
            ImageReaderSpi spi = spis.next();
            if (spi.getClass().getName().equals(JDK_JPEG_SPI)) {
                jdk = spi;
            } else if (spi.getClass().getName().equals(TWELVEMONKEYS_JPEG_SPI)) {
                twelve = spi;
            }
        }
        if (twelve == null) {
            log.warn("TwelveMonkeys JPEG reader not found; CMYK and YCCK JPEGs will not decode");
        }
        JDK_JPEG = jdk;
        GENERAL_JPEG = twelve != null ? twelve : jdk;
    }

    private final ImageLimits limits;
    /** libavif for AVIF uploads; null refuses them. */
    private final Avif avif;

    public GrayscaleDecoder(ImageLimits limits) {
        this(limits, null);
    }

    /** A decoder that reads AVIF uploads through {@code avif}, or refuses them when it is null. */
    public GrayscaleDecoder(ImageLimits limits, Avif avif) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.avif = avif;
    }

    public DecodedImage decode(ImageSource source) {
        if (source.length() == 0) {
            throw new FrontException(ErrorCode.EMPTY_IMAGE, "the uploaded image is empty (0 bytes); send the file's contents");
        }
        try (ImageInputStream in = source.openImageStream()) {
            byte[] magic = new byte[ImageFormat.SNIFF_BYTES];
            int n = readUpTo(in, magic);
            if (n == 0) {
                throw new FrontException(ErrorCode.EMPTY_IMAGE, "the uploaded image is empty (0 bytes); send the file's contents");
            }
            String format = sniff(magic, n);
            if (format == null) {
                throw new FrontException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "the upload is not a JPEG, PNG, GIF, BMP, WebP or AVIF image (unrecognised file signature); "
                                + "convert it to JPEG or PNG");
            }
            in.seek(0);
            return decode(in, format);
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

    private DecodedImage decode(ImageInputStream in, String format) throws IOException {
        if (format.equals("jpeg")) {
            return decodeJpeg(in);
        }
        if (format.equals("avif")) {
            ImageData gray = AvifInput.decode(avif, in, limits);
            return new DecodedImage("avif", gray.width(), gray.height(), gray);
        }
        if (format.equals("gif")) {
            ImageData gray = GifFirstFrame.decode(in, (width, height) -> checkLimits("gif", width, height));
            return new DecodedImage("gif", gray.width(), gray.height(), gray);
        }
        PngChunks png = null;
        if (format.equals("png")) {
            png = PngChunks.read(in);
            in.seek(0);
        } else if (format.equals("bmp")) {
            BmpHeader bmp = BmpHeader.read(in);
            checkLimits(format, bmp.width, bmp.height);
            bmp.checkComplete(in);
            in.seek(0);
        }
        ImageReader reader = reader(format);
        try {
            WarningCollector warnings = new WarningCollector();
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkLimits(format, width, height);
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            warnings.throwIfFatal();
            if (png != null) {
                image = PngColour.toSrgb(image, png);
            }
            ImageData gray = RasterToGray.convert(image);
            return new DecodedImage(format, width, height, Orientation.apply(gray, png == null ? 1 : png.orientation));
        } finally {
            reader.dispose();
        }
    }

    private DecodedImage decodeJpeg(ImageInputStream in) throws IOException {
        JpegHeader header = JpegHeader.read(in);
        checkLimits("jpeg", header.width, header.height);
        if (header.icc != null && !JpegIcc.usable(header.icc)) {
            return decodeJpegWithoutProfile(in, header, "the profile is damaged");
        }
        in.seek(0);
        try {
            return decodeJpegPixels(in, header);
        } catch (IIOException e) {
            // The JDK reader's own checks of the ICC_PROFILE segments (empty, misnumbered, duplicated chunks).
            if (e.getMessage() == null || !e.getMessage().startsWith("Invalid icc profile")) {
                throw e;
            }
            return decodeJpegWithoutProfile(in, header, e.getMessage());
        }
    }

    private DecodedImage decodeJpegWithoutProfile(ImageInputStream in, JpegHeader header, String why)
            throws IOException {
        log.info("ignoring the ICC profile of a {}x{} JPEG ({}); its pixels are taken as sRGB",
                header.width, header.height, why);
        header.icc = null;
        ImageInputStream stripped = JpegIcc.withoutProfile(in);
        stripped.seek(0);
        return decodeJpegPixels(stripped, header);
    }

    private DecodedImage decodeJpegPixels(ImageInputStream in, JpegHeader header) throws IOException {
        ImageData gray = null;
        if (JDK_JPEG != null && header.lumaDecodable() && iccAllowsLuma(header)) {
            gray = decodeJpegLuma(in, header);
            if (gray == null) {
                in.seek(0);
            }
        }
        if (gray == null) {
            gray = decodeJpegGeneral(in, header);
        }
        if (gray.width() != header.width || gray.height() != header.height) {
            throw new IIOException("decoded size " + gray.width() + "x" + gray.height()
                    + " differs from the header's " + header.width + "x" + header.height);
        }
        return new DecodedImage("jpeg", header.width, header.height, Orientation.apply(gray, header.orientation));
    }

    static boolean iccAllowsLuma(JpegHeader header) {
        if (header.icc == null || header.components == 1) {
            return true; // gray profiles are gamma ~2.2 and keep the stored values within rounding
        }
        try {
            return RasterToGray.SrgbCheck.isSrgbLike(ICC_Profile.getInstance(header.icc));
        } catch (RuntimeException e) {
            log.debug("ignoring unreadable embedded ICC profile", e);
            return true;
        }
    }

    /** libjpeg decodes only Y, which is BT.601 luma. Returns null if the reader refuses gray output. */
    private ImageData decodeJpegLuma(ImageInputStream in, JpegHeader header) throws IOException {
        ImageReader reader = JDK_JPEG.createReaderInstance();
        try {
            WarningCollector warnings = new WarningCollector();
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, true);
            checkLimits("jpeg", reader.getWidth(0), reader.getHeight(0));
            ImageReadParam param = reader.getDefaultReadParam();
            param.setDestinationType(ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_BYTE_GRAY));
            BufferedImage image;
            try {
                image = reader.read(0, param);
            } catch (IIOException e) {
                if (e.getMessage() != null && e.getMessage().contains("destination type")) {
                    log.debug("JPEG reader refused gray output, using the general path: {}", e.getMessage());
                    return null;
                }
                throw e;
            }
            warnings.throwIfFatal();
            if (image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
                return RasterToGray.convert(image);
            }
            return new ImageData(PixelFormat.GRAY8, image.getWidth(), image.getHeight(), grayBytes(image));
        } finally {
            reader.dispose();
        }
    }

    /** The pixels of a TYPE_BYTE_GRAY image, without a copy when the buffer is exactly the pixels. */
    private static byte[] grayBytes(BufferedImage image) {
        Raster raster = image.getRaster();
        DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
        ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] data = buffer.getData();
        int offset = buffer.getOffset() + sm.getOffset(0, 0);
        int stride = sm.getScanlineStride();
        if (offset == 0 && stride == w && data.length == w * h && buffer.getNumBanks() == 1) {
            return data;
        }
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(data, offset + y * stride, out, y * w, w);
        }
        return out;
    }

    private ImageData decodeJpegGeneral(ImageInputStream in, JpegHeader header) throws IOException {
        ImageReader reader = GENERAL_JPEG.createReaderInstance();
        try {
            WarningCollector warnings = new WarningCollector();
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, false);
            checkLimits("jpeg", reader.getWidth(0), reader.getHeight(0));
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            warnings.throwIfFatal();
            return RasterToGray.convert(image);
        } finally {
            reader.dispose();
        }
    }

    private void checkLimits(String format, long width, long height) {
        limits.check(format, width, height);
    }

    /**
     * The JDK's reader for PNG; TwelveMonkeys' for BMP, which reads the OS/2 and V4/V5 variants the JDK's refuses
     * and reports the header's size before it allocates anything, and for WebP, which the JDK lacks.
     */
    private static ImageReader reader(String format) {
        String preferred = format.equals("png") ? "com.sun.imageio." : "com.twelvemonkeys.imageio.";
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        ImageReader fallback = null;
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith(preferred)) {
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
            throw new IllegalStateException("no ImageIO reader for " + format);
        }
        return fallback;
    }

    /** "jpeg", "png", "gif", "bmp", "webp", "avif" ({@link ImageFormat#label()}) from the first bytes, or null. */
    static String sniff(byte[] b, int n) {
        return ImageFormat.sniff(b, n).map(ImageFormat::label).orElse(null);
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
        if (e instanceof java.io.EOFException) {
            return "the file ends early";
        }
        String message = e.getMessage();
        if (e instanceof RuntimeException || e instanceof Error || message == null || message.isBlank()) {
            return "a reader stopped on data it could not make sense of";
        }
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
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
