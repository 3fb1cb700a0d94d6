package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
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

/**
 * JPEG uploads, at full size ({@link ShrinkOnLoadDecoder} may have shrunk them first). Ordinary YCbCr and gray
 * JPEGs whose profile leaves luma as it is take a fast path that has the JDK's libjpeg decode the luma channel
 * only; CMYK, YCCK and the rest go through TwelveMonkeys' reader and {@link RasterToGray}. A damaged embedded ICC
 * profile is ignored (the pixels are taken as sRGB) rather than refusing the image. EXIF orientation is applied.
 */
record JpegDecoder(ImageLimits limits) implements FormatDecoder {
    private static final Logger log = LoggerFactory.getLogger(JpegDecoder.class);
    private static final String JDK_JPEG_SPI = "com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi";
    private static final String TWELVEMONKEYS_JPEG_SPI = "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi";

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

    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        JpegHeader header = JpegHeader.read(in);
        limits.check(ImageFormat.JPEG, header.width, header.height);
        if (header.icc != null && !JpegIcc.usable(header.icc)) {
            return decodeWithoutProfile(in, header, "the profile is damaged");
        }
        in.seek(0);
        try {
            return decodePixels(in, header);
        } catch (IIOException e) {
            // The JDK reader's own checks of the ICC_PROFILE segments (empty, misnumbered, duplicated chunks).
            if (e.getMessage() == null || !e.getMessage().startsWith("Invalid icc profile")) {
                throw e;
            }
            return decodeWithoutProfile(in, header, e.getMessage());
        }
    }

    /** Whether the JPEG's luma is what the full conversion would give: no profile, a gray one, or an sRGB-like one. */
    static boolean iccAllowsLuma(JpegHeader header) {
        if (header.icc == null || header.components == 1) {
            return true; // gray profiles are gamma ~2.2 and keep the stored values within rounding
        }
        try {
            return SrgbProfiles.isSrgbLike(ICC_Profile.getInstance(header.icc));
        } catch (RuntimeException e) {
            log.debug("ignoring unreadable embedded ICC profile", e);
            return true;
        }
    }

    private DecodedImage decodeWithoutProfile(ImageInputStream in, JpegHeader header, String why)
            throws IOException {
        log.info("ignoring the ICC profile of a {}x{} JPEG ({}); its pixels are taken as sRGB",
                header.width, header.height, why);
        header.icc = null;
        ImageInputStream stripped = JpegIcc.withoutProfile(in);
        stripped.seek(0);
        return decodePixels(stripped, header);
    }

    private DecodedImage decodePixels(ImageInputStream in, JpegHeader header) throws IOException {
        ImageData gray = null;
        if (JDK_JPEG != null && header.lumaDecodable() && iccAllowsLuma(header)) {
            gray = decodeLuma(in);
            if (gray == null) {
                in.seek(0);
            }
        }
        if (gray == null) {
            gray = RasterToGray.convert(ImageIoReading.read(GENERAL_JPEG.createReaderInstance(), in, false,
                    ImageFormat.JPEG, limits, param -> {
                    }));
        }
        if (gray.width() != header.width || gray.height() != header.height) {
            throw new IIOException("decoded size " + gray.width() + "x" + gray.height()
                    + " differs from the header's " + header.width + "x" + header.height);
        }
        return new DecodedImage(ImageFormat.JPEG, header.width, header.height,
                Orientation.apply(gray, header.orientation));
    }

    /** libjpeg decodes only Y, which is BT.601 luma. Returns null if the reader refuses gray output. */
    private ImageData decodeLuma(ImageInputStream in) throws IOException {
        BufferedImage image;
        try {
            image = ImageIoReading.read(JDK_JPEG.createReaderInstance(), in, true, ImageFormat.JPEG, limits,
                    param -> param.setDestinationType(
                            ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_BYTE_GRAY)));
        } catch (IIOException e) {
            if (e.getMessage() != null && e.getMessage().contains("destination type")) {
                log.debug("JPEG reader refused gray output, using the general path: {}", e.getMessage());
                return null;
            }
            throw e;
        }
        if (image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            return RasterToGray.convert(image);
        }
        return new ImageData(PixelFormat.GRAY8, image.getWidth(), image.getHeight(), grayBytes(image));
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
}
