package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * Encodes GRAY8 / GRAY_ALPHA8 pixels as JPEG (8-bit gray baseline; alpha is composited onto white first) or PNG
 * (8-bit gray, or gray+alpha colour type 4). Pixels are handed to ImageIO through a view over the array, not
 * copied. PNG uses the JDK writer's default deflate settings.
 */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    /** @param quality 1..100, JPEG only (mapped to 0.01..1.0) */
    public static byte[] encode(ImageData img, OutputFormat format, int quality) {
        if (img.format() != PixelFormat.GRAY8 && img.format() != PixelFormat.GRAY_ALPHA8) {
            throw new IllegalArgumentException("can only encode GRAY8 or GRAY_ALPHA8, not " + img.format());
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        try {
            return switch (format) {
                case JPEG -> jpeg(img.format() == PixelFormat.GRAY_ALPHA8 ? onWhite(img) : img, quality);
                case PNG -> png(img);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + format.label() + " failed", e);
        }
    }

    /** Composites gray+alpha over white: g' = round((g·a + 255·(255 − a)) / 255). */
    static ImageData onWhite(ImageData img) {
        byte[] src = img.data();
        byte[] out = new byte[img.width() * img.height()];
        for (int i = 0, s = 0; i < out.length; i++, s += 2) {
            int g = src[s] & 0xff;
            int a = src[s + 1] & 0xff;
            out[i] = (byte) ((g * a + 255 * (255 - a) + 127) / 255);
        }
        return new ImageData(PixelFormat.GRAY8, img.width(), img.height(), out);
    }

    private static byte[] jpeg(ImageData gray, int quality) throws IOException {
        ImageWriter writer = writer("jpeg");
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            return write(writer, gray, param, gray.width() * gray.height() / 4);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] png(ImageData img) throws IOException {
        ImageWriter writer = writer("png");
        try {
            return write(writer, img, writer.getDefaultWriteParam(), img.data().length / 2);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] write(ImageWriter writer, ImageData img, ImageWriteParam param, int sizeHint)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, sizeHint));
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(GrayImages.view(img), null, null), param);
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
