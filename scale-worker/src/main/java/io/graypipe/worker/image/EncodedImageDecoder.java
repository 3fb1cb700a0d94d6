package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.util.Iterator;

/**
 * Decodes a PNG or JPEG sent as {@link PixelFormat#ENCODED} into GRAY8, or GRAY_ALPHA8 when it has alpha.
 * Gray files keep their stored values; colour files become BT.601 luma of their 8-bit values.
 */
public final class EncodedImageDecoder {
    /** Largest decoded raster accepted: the GRAY_ALPHA8 array must fit in one Java array. */
    private static final long MAX_PIXELS = (Integer.MAX_VALUE - 16) / 2;

    private EncodedImageDecoder() {
    }

    public static ImageData decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw new IllegalArgumentException("encoded image is empty");
        }
        String format = sniff(encoded);
        if (format == null) {
            throw new IllegalArgumentException("encoded image is neither PNG nor JPEG (unrecognised signature)");
        }
        ImageReader reader = reader(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            reader.setInput(in, true, true);
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            if (w <= 0 || h <= 0 || w * h > MAX_PIXELS) {
                throw new IllegalArgumentException("encoded " + format + " has unusable size " + w + "x" + h);
            }
            boolean[] truncated = {false};
            reader.addIIOReadWarningListener((source, warning) -> {
                if (warning != null && warning.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
                    truncated[0] = true;
                }
            });
            BufferedImage image = reader.read(0);
            if (truncated[0]) {
                throw new IllegalArgumentException("encoded " + format + " is truncated");
            }
            return toGray(image);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            throw new IllegalArgumentException("encoded " + format + " could not be decoded: " + e, e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageData toGray(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = cm.hasAlpha();
        int bpp = alpha ? 2 : 1;
        byte[] out = new byte[w * h * bpp];
        boolean gray = cm.getNumColorComponents() == 1 && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(cm instanceof java.awt.image.IndexColorModel);
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        if (gray) {
            int max = (1 << cm.getComponentSize(0)) - 1;
            int alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
            for (int y = 0, d = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0, s = 0; x < w; x++, s += bands) {
                    out[d++] = (byte) scale(row[s], max);
                    if (alpha) {
                        out[d++] = (byte) scale(row[s + 1], alphaMax);
                    }
                }
            }
        } else {
            // Colour (or palette) input: sRGB values via the colour model, then luma.
            int[] argb = new int[w];
            for (int y = 0, d = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = argb[x];
                    out[d++] = (byte) luma((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
                    if (alpha) {
                        out[d++] = (byte) (p >>> 24);
                    }
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, out);
    }

    private static int scale(int v, int max) {
        return max == 255 ? v : (int) ((v * 510L + max) / (2L * max));
    }

    /** BT.601, rounded exactly (same constants as the front's decoder). */
    private static int luma(int r, int g, int b) {
        return (156762 * r + 307757 * g + 59769 * b + 262186) >> 19;
    }

    private static String sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "jpeg";
        }
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        return null;
    }

    private static ImageReader reader(String format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        ImageReader chosen = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (chosen == null || r.getClass().getName().startsWith("com.sun.imageio.")) {
                if (chosen != null) {
                    chosen.dispose();
                }
                chosen = r;
            } else {
                r.dispose();
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no ImageIO reader for " + format);
        }
        return chosen;
    }
}
