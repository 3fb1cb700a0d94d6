package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Converts a decoded {@link BufferedImage} to GRAY8 or GRAY_ALPHA8 working on rasters, never per-pixel getRGB.
 * Gray sources keep their stored values (they are display-referred, although Java labels its gray space
 * linear); sRGB sources get BT.601 luma; any other colour space is first converted to sRGB.
 */
final class RasterToGray {
    private static final int[] SCALE_16 = new int[65536];

    static {
        for (int v = 0; v < SCALE_16.length; v++) {
            SCALE_16[v] = Luma.from16(v);
        }
    }

    private RasterToGray() {
    }

    static ImageData convert(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm.isAlphaPremultiplied()) {
            image.coerceData(false);
            cm = image.getColorModel();
        }
        if (cm instanceof IndexColorModel icm) {
            return indexed(image.getRaster(), icm);
        }
        ColorSpace cs = cm.getColorSpace();
        int colors = cm.getNumColorComponents();
        if (colors == 1 && cs.getType() == ColorSpace.TYPE_GRAY) {
            return components(image.getRaster(), cm, true);
        }
        if (colors == 3 && isSrgb(cs)) {
            if (cm instanceof DirectColorModel dcm && image.getRaster().getDataBuffer() instanceof DataBufferInt
                    && image.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel) {
                return packedInt(image, dcm);
            }
            return components(image.getRaster(), cm, false);
        }
        return convert(toSrgb(image));
    }

    /** Whether {@code cs} is sRGB, or an ICC RGB space close enough to it that converting would change nothing. */
    static boolean isSrgb(ColorSpace cs) {
        if (cs.isCS_sRGB()) {
            return true;
        }
        if (cs instanceof ICC_ColorSpace icc) {
            return SrgbProfiles.isSrgbLike(icc.getProfile());
        }
        return false;
    }

    private static BufferedImage toSrgb(BufferedImage image) {
        boolean alpha = image.getColorModel().hasAlpha();
        BufferedImage dst = new BufferedImage(image.getWidth(), image.getHeight(),
                alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        new ColorConvertOp(null).filter(image, dst);
        return dst;
    }

    private static ImageData indexed(Raster raster, IndexColorModel icm) {
        int size = icm.getMapSize();
        byte[] grayLut = new byte[256];
        byte[] alphaLut = new byte[256];
        int[] rgbs = new int[size];
        icm.getRGBs(rgbs);
        boolean alpha = icm.hasAlpha();
        if (!isSrgb(icm.getColorSpace())) {
            throw new IllegalStateException("palette in a non-sRGB colour space");
        }
        for (int i = 0; i < 256; i++) {
            int argb = i < size ? rgbs[i] : 0xff000000;
            grayLut[i] = (byte) Luma.of((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
            alphaLut[i] = (byte) (argb >>> 24);
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bpp = alpha ? 2 : 1;
        byte[] out = new byte[w * h * bpp];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            int d = y * w * bpp;
            for (int x = 0; x < w; x++) {
                int index = row[x] & 0xff;
                out[d++] = grayLut[index];
                if (alpha) {
                    out[d++] = alphaLut[index];
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, out);
    }

    private static ImageData packedInt(BufferedImage image, DirectColorModel dcm) {
        Raster raster = image.getRaster();
        SinglePixelPackedSampleModel sm = (SinglePixelPackedSampleModel) raster.getSampleModel();
        int[] masks = dcm.getMasks();
        if (masks[0] != 0xff0000 || masks[1] != 0xff00 || masks[2] != 0xff
                || (dcm.hasAlpha() && masks[3] != 0xff000000)) {
            return components(raster, dcm, false);
        }
        int[] data = ((DataBufferInt) raster.getDataBuffer()).getData();
        int offset = raster.getDataBuffer().getOffset()
                + sm.getOffset(raster.getMinX() - raster.getSampleModelTranslateX(),
                raster.getMinY() - raster.getSampleModelTranslateY());
        int stride = sm.getScanlineStride();
        int w = raster.getWidth();
        int h = raster.getHeight();
        boolean alpha = dcm.hasAlpha();
        byte[] out = new byte[w * h * (alpha ? 2 : 1)];
        int d = 0;
        for (int y = 0; y < h; y++) {
            int s = offset + y * stride;
            for (int x = 0; x < w; x++, s++) {
                int p = data[s];
                out[d++] = (byte) Luma.of((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
                if (alpha) {
                    out[d++] = (byte) (p >>> 24);
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, out);
    }

    /**
     * Gray (one colour band) or RGB (three) with an optional alpha band last. Reads byte and ushort interleaved
     * rasters straight from their arrays and anything else row by row through the sample model.
     */
    private static ImageData components(Raster raster, ColorModel cm, boolean gray) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        boolean alpha = cm.hasAlpha();
        int colors = gray ? 1 : 3;
        int bands = colors + (alpha ? 1 : 0);
        if (raster.getNumBands() != bands) {
            throw new IllegalStateException("raster has " + raster.getNumBands() + " bands, expected " + bands);
        }
        int[][] scale = new int[bands][];
        for (int b = 0; b < bands; b++) {
            scale[b] = scaleTable(cm.getComponentSize(b));
        }
        byte[] out = new byte[w * h * (alpha ? 2 : 1)];
        DataBuffer buffer = raster.getDataBuffer();
        if (raster.getSampleModel() instanceof ComponentSampleModel sm && buffer.getNumBanks() == 1
                && (buffer instanceof DataBufferByte || buffer instanceof DataBufferUShort)) {
            int[] bandOffsets = sm.getBandOffsets();
            int[] banks = sm.getBankIndices();
            for (int bank : banks) {
                if (bank != 0) {
                    return componentsSlow(raster, scale, gray, alpha, out);
                }
            }
            int pixelStride = sm.getPixelStride();
            int stride = sm.getScanlineStride();
            int base = buffer.getOffset() + sm.getOffset(raster.getMinX() - raster.getSampleModelTranslateX(),
                    raster.getMinY() - raster.getSampleModelTranslateY(), 0) - bandOffsets[0];
            if (buffer instanceof DataBufferByte bytes) {
                byte[] data = bytes.getData();
                if (gray && !alpha && pixelStride == 1 && cm.getComponentSize(0) == 8) {
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(data, base + bandOffsets[0] + y * stride, out, y * w, w);
                    }
                } else {
                    copyBytes(data, base, stride, pixelStride, bandOffsets, scale, gray, alpha, w, h, out);
                }
            } else {
                short[] data = ((DataBufferUShort) buffer).getData();
                copyShorts(data, base, stride, pixelStride, bandOffsets, scale, gray, alpha, w, h, out);
            }
            return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, out);
        }
        return componentsSlow(raster, scale, gray, alpha, out);
    }

    private static void copyBytes(byte[] data, int base, int stride, int pixelStride, int[] bo, int[][] scale,
                                  boolean gray, boolean alpha, int w, int h, byte[] out) {
        int d = 0;
        int a = gray ? 1 : 3;
        int[] s0 = scale[0];
        for (int y = 0; y < h; y++) {
            int s = base + y * stride;
            for (int x = 0; x < w; x++, s += pixelStride) {
                int g;
                if (gray) {
                    g = s0[data[s + bo[0]] & 0xff];
                } else {
                    g = Luma.of(s0[data[s + bo[0]] & 0xff], scale[1][data[s + bo[1]] & 0xff],
                            scale[2][data[s + bo[2]] & 0xff]);
                }
                out[d++] = (byte) g;
                if (alpha) {
                    out[d++] = (byte) scale[a][data[s + bo[a]] & 0xff];
                }
            }
        }
    }

    private static void copyShorts(short[] data, int base, int stride, int pixelStride, int[] bo, int[][] scale,
                                   boolean gray, boolean alpha, int w, int h, byte[] out) {
        int d = 0;
        int a = gray ? 1 : 3;
        for (int y = 0; y < h; y++) {
            int s = base + y * stride;
            for (int x = 0; x < w; x++, s += pixelStride) {
                int g;
                if (gray) {
                    g = scale[0][data[s + bo[0]] & 0xffff];
                } else {
                    g = Luma.of(scale[0][data[s + bo[0]] & 0xffff], scale[1][data[s + bo[1]] & 0xffff],
                            scale[2][data[s + bo[2]] & 0xffff]);
                }
                out[d++] = (byte) g;
                if (alpha) {
                    out[d++] = (byte) scale[a][data[s + bo[a]] & 0xffff];
                }
            }
        }
    }

    private static ImageData componentsSlow(Raster raster, int[][] scale, boolean gray, boolean alpha, byte[] out) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        int a = gray ? 1 : 3;
        int d = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0, s = 0; x < w; x++, s += bands) {
                int g = gray ? scale[0][row[s]]
                        : Luma.of(scale[0][row[s]], scale[1][row[s + 1]], scale[2][row[s + 2]]);
                out[d++] = (byte) g;
                if (alpha) {
                    out[d++] = (byte) scale[a][row[s + a]];
                }
            }
        }
        return new ImageData(alpha ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, w, h, out);
    }

    /** Maps an n-bit sample to 8 bits, rounded to nearest. */
    private static int[] scaleTable(int bits) {
        if (bits == 16) {
            return SCALE_16;
        }
        if (bits < 1 || bits > 16) {
            throw new IllegalStateException("unsupported sample size " + bits + " bits");
        }
        int max = (1 << bits) - 1;
        int[] table = new int[1 << bits];
        for (int v = 0; v <= max; v++) {
            table[v] = (int) ((v * 255L * 2 + max) / (2L * max));
        }
        return table;
    }
}
