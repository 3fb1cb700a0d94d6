package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.codec.CodecException;
import io.graypipe.protocol.turbojpeg.TurboJpeg;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * Encodes GRAY8 / GRAY_ALPHA8 pixels as JPEG (8-bit gray baseline; alpha is composited onto white first) or PNG
 * (8-bit gray, or gray+alpha colour type 4). Pixels are handed to ImageIO through a view over the array, not
 * copied. PNG uses the JDK writer's default deflate settings.
 *
 * <p>A colour {@link PlanarRaster} (what {@code sepia} makes) keeps its colour in both formats: JPEG as a
 * 3-component YCbCr JFIF (alpha composited onto white first), PNG as RGB (colour type 2) or RGBA (type 6).
 *
 * <p>Given libturbojpeg, gray JPEGs are encoded by {@code tjCompress2} instead of ImageIO: the same quantisation
 * tables and accurate DCT, in about half the CPU time (docs/performance.md). Should the library fail on an image,
 * ImageIO encodes it.
 *
 * <p>WebP and AVIF go through libwebp and libavif ({@link Encoders}), keeping gray as gray (AVIF 4:0:0; WebP, which
 * has no gray mode, R = G = B) and alpha where the raster has it. Without the library they are refused.
 */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    /** @param quality 1..100, JPEG only (mapped to 0.01..1.0) */
    public static byte[] encode(ImageData img, OutputFormat format, int quality) {
        return encode(img, format, quality, null);
    }

    /** As {@link #encode(ImageData, OutputFormat, int)}, gray JPEGs through {@code turbo} unless it is null. */
    public static byte[] encode(ImageData img, OutputFormat format, int quality, TurboJpeg turbo) {
        return encode(img, format, quality, false, new Encoders(turbo, null, null));
    }

    /**
     * Encodes with the libraries in {@code codecs}; {@code lossless} applies to WebP only.
     *
     * @throws IllegalStateException when {@code format} needs a library {@code codecs} lacks
     */
    public static byte[] encode(ImageData img, OutputFormat format, int quality, boolean lossless, Encoders codecs) {
        if (img.format() != PixelFormat.GRAY8 && img.format() != PixelFormat.GRAY_ALPHA8) {
            throw new IllegalArgumentException("can only encode GRAY8 or GRAY_ALPHA8, not " + img.format());
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        try {
            return switch (format) {
                case JPEG -> jpeg(img.format() == PixelFormat.GRAY_ALPHA8 ? onWhite(img) : img, quality, codecs.jpeg());
                case PNG -> png(img);
                case WEBP, AVIF -> modern(img.data(), img.width(), img.height(), img.format().bytesPerPixel(), format,
                        quality, lossless, codecs);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + format.label() + " failed", e);
        }
    }

    /** Encodes a filtered raster: gray ones exactly as {@link #encode(ImageData, OutputFormat, int)}. */
    public static byte[] encode(PlanarRaster raster, OutputFormat format, int quality) {
        return encode(raster, format, quality, null);
    }

    /** As {@link #encode(PlanarRaster, OutputFormat, int)}, gray JPEGs through {@code turbo} unless it is null. */
    public static byte[] encode(PlanarRaster raster, OutputFormat format, int quality, TurboJpeg turbo) {
        return encode(raster, format, quality, false, new Encoders(turbo, null, null));
    }

    /** As {@link #encode(ImageData, OutputFormat, int, boolean, Encoders)}, for a filtered raster. */
    public static byte[] encode(PlanarRaster raster, OutputFormat format, int quality, boolean lossless,
                                Encoders codecs) {
        if (!raster.isColour()) {
            return encode(raster.toGrayImageData(), format, quality, lossless, codecs);
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        int w = raster.width();
        int h = raster.height();
        try {
            return switch (format) {
                case JPEG -> jpeg(InterleavedImages.view(onWhite(raster).interleaved(), w, h, true, false), quality);
                case PNG -> png(InterleavedImages.view(raster.interleaved(), w, h, true, raster.hasAlpha()),
                        w * h * 2);
                case WEBP, AVIF -> modern(raster.interleaved(), w, h, raster.hasAlpha() ? 4 : 3, format, quality,
                        lossless, codecs);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + format.label() + " failed", e);
        }
    }

    /** WebP or AVIF from interleaved pixels of 1 to 4 channels, through the library {@code codecs} holds. */
    private static byte[] modern(byte[] pixels, int width, int height, int channels, OutputFormat format,
                                 int quality, boolean lossless, Encoders codecs) throws IOException {
        if (!codecs.encodes(format)) {
            throw new IllegalStateException("no " + format.label() + " encoder: install " + Encoders.packageFor(format));
        }
        try {
            return format == OutputFormat.WEBP
                    ? codecs.webp().encode(pixels, width, height, channels, quality, lossless)
                    : codecs.avif().encode(pixels, width, height, channels, quality);
        } catch (CodecException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Each colour plane composited over white like {@link #onWhite(ImageData)}; opaque rasters as they are. */
    static PlanarRaster onWhite(PlanarRaster raster) {
        byte[] alpha = raster.alpha();
        if (alpha == null) {
            return raster;
        }
        byte[][] planes = new byte[raster.colourPlanes()][];
        for (int c = 0; c < planes.length; c++) {
            byte[] src = raster.plane(c);
            byte[] out = new byte[src.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) overWhite(src[i] & 0xff, alpha[i] & 0xff);
            }
            planes[c] = out;
        }
        return new PlanarRaster(raster.width(), raster.height(), planes, null);
    }

    private static int overWhite(int v, int a) {
        return (v * a + 255 * (255 - a) + 127) / 255;
    }

    /** Composites gray+alpha over white: g' = round((g·a + 255·(255 − a)) / 255). */
    static ImageData onWhite(ImageData img) {
        byte[] src = img.data();
        byte[] out = new byte[img.width() * img.height()];
        for (int i = 0, s = 0; i < out.length; i++, s += 2) {
            out[i] = (byte) overWhite(src[s] & 0xff, src[s + 1] & 0xff);
        }
        return new ImageData(PixelFormat.GRAY8, img.width(), img.height(), out);
    }

    private static byte[] jpeg(ImageData gray, int quality, TurboJpeg turbo) throws IOException {
        if (turbo != null) {
            try {
                return turbo.encodeGray(gray.data(), gray.width(), gray.height(), quality);
            } catch (TurboJpeg.TurboJpegException e) {
                // Not expected for valid pixels; ImageIO gives the same image rather than a failed request.
            }
        }
        return jpeg(InterleavedImages.view(gray), quality);
    }

    private static byte[] jpeg(BufferedImage image, int quality) throws IOException {
        ImageWriter writer = writer("jpeg");
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            return write(writer, image, param, image.getWidth() * image.getHeight() / 4);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] png(ImageData img) throws IOException {
        return png(InterleavedImages.view(img), img.data().length / 2);
    }

    private static byte[] png(BufferedImage image, int sizeHint) throws IOException {
        ImageWriter writer = writer("png");
        try {
            return write(writer, image, writer.getDefaultWriteParam(), sizeHint);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] write(ImageWriter writer, BufferedImage image, ImageWriteParam param, int sizeHint)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, sizeHint));
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        return bytes.toByteArray();
    }

    /** The JDK's own writer: other plugins on the class path may register first. */
    private static ImageWriter writer(String format) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        ImageWriter chosen = null;
        while (writers.hasNext()) {
            ImageWriter w = writers.next();
            if (chosen == null || w.getClass().getName().startsWith("com.sun.imageio.")) {
                if (chosen != null) {
                    chosen.dispose();
                }
                chosen = w;
            } else {
                w.dispose();
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return chosen;
    }
}
