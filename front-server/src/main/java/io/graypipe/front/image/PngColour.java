package io.graypipe.front.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;

/**
 * Describes a decoded PNG's pixels in sRGB terms, following its colour chunks the way the PNG specification
 * ranks them: an iCCP profile first, then an sRGB chunk (the pixels are sRGB already), then gAMA. The JDK
 * reader ignores all three and labels every PNG sRGB.
 *
 * <p>An RGB profile is attached to the image's colour model, so {@link RasterToGray} converts it to sRGB with
 * the ICC engine; a palette is converted entry by entry; gray profiles and gAMA become a tone table applied to
 * the samples in place. A profile that cannot be read, or does not fit the image (gray on RGB), is ignored, as
 * browsers do.
 */
final class PngColour {
    private static final Logger log = LoggerFactory.getLogger(PngColour.class);
    /** 1/2.2, the gamma nearly every PNG writer stores alongside sRGB-like pixels. */
    private static final double USUAL_GAMMA = 0.45455;

    private PngColour() {
    }

    /** {@code image} itself (possibly with its samples rewritten in place) or a relabelled copy sharing its raster. */
    static BufferedImage toSrgb(BufferedImage image, PngChunks chunks) {
        if (chunks.iccProfile != null) {
            ICC_Profile profile = usableProfile(chunks.iccProfile);
            BufferedImage converted = profile == null ? null : applyProfile(image, profile);
            if (converted != null) {
                return converted;
            }
        }
        if (chunks.srgb || chunks.gamma == 0) {
            return image;
        }
        double gamma = chunks.gamma / 100000.0;
        if (gamma < 0.1 || gamma > 10) {
            log.debug("ignoring an implausible gAMA of {}", gamma);
            return image;
        }
        // libpng's test: a gamma within 5% of the display's 1/2.2 changes nothing visible.
        if (Math.abs(gamma / USUAL_GAMMA - 1) <= 0.05) {
            return image;
        }
        double exponent = 1 / gamma;
        return applyTone(image, bits -> toneTable(bits, v -> srgbEncode(Math.pow(v, exponent))));
    }

    /** The profile, if it parses and the colour engine can convert with it; otherwise null. */
    private static ICC_Profile usableProfile(byte[] data) {
        try {
            ICC_Profile profile = ICC_Profile.getInstance(data);
            ICC_ColorSpace space = new ICC_ColorSpace(profile);
            space.toRGB(new float[space.getNumComponents()]);
            return profile;
        } catch (RuntimeException e) {
            log.debug("ignoring an iCCP profile the colour engine cannot use: {}", e.toString());
            return null;
        }
    }

    /** The image in the profile's terms, or null when the profile does not fit the image. */
    private static BufferedImage applyProfile(BufferedImage image, ICC_Profile profile) {
        ColorModel cm = image.getColorModel();
        int space = profile.getColorSpaceType();
        if (space == ColorSpace.TYPE_RGB && cm instanceof IndexColorModel icm) {
            return SrgbProfiles.isSrgbLike(profile) ? image : withPalette(image, icm, convertPalette(icm, profile));
        }
        if (space == ColorSpace.TYPE_RGB && cm instanceof ComponentColorModel && cm.getNumColorComponents() == 3) {
            if (SrgbProfiles.isSrgbLike(profile)) {
                return image;
            }
            ComponentColorModel tagged = new ComponentColorModel(new ICC_ColorSpace(profile), cm.getComponentSize(),
                    cm.hasAlpha(), false, cm.getTransparency(), cm.getTransferType());
            return new BufferedImage(tagged, image.getRaster(), false, null);
        }
        // Gray PNGs under 8 bits arrive as a palette of grays.
        boolean gray = cm.getNumColorComponents() == 1 || (cm instanceof IndexColorModel palette && allGray(palette));
        if (space == ColorSpace.TYPE_GRAY && gray) {
            return SrgbProfiles.isSrgbLikeGray(profile) ? image
                    : applyTone(image, bits -> grayProfileTable(profile, bits));
        }
        log.debug("ignoring an iCCP profile of colour space type {} on an image with {} colour components",
                space, cm.getNumColorComponents());
        return null;
    }

    /**
     * Rewrites colour samples (never alpha) through {@code tables.apply(bits)}, which maps an n-bit sample to
     * an n-bit sRGB-encoded one: palettes entry by entry, other images in place.
     */
    private static BufferedImage applyTone(BufferedImage image, IntFunction<int[]> tables) {
        ColorModel cm = image.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            int[] table = tables.apply(8);
            int[] rgbs = new int[icm.getMapSize()];
            icm.getRGBs(rgbs);
            for (int i = 0; i < rgbs.length; i++) {
                int p = rgbs[i];
                rgbs[i] = (table[(p >> 16) & 0xff] << 16) | (table[(p >> 8) & 0xff] << 8) | table[p & 0xff];
            }
            return withPalette(image, icm, rgbs);
        }
        WritableRaster raster = image.getRaster();
        int w = raster.getWidth();
        int[] row = new int[w];
        for (int band = 0; band < cm.getNumColorComponents(); band++) {
            int[] table = tables.apply(cm.getComponentSize(band));
            for (int y = 0; y < raster.getHeight(); y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, row);
                for (int x = 0; x < w; x++) {
                    row[x] = table[row[x]];
                }
                raster.setSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, row);
            }
        }
        return image;
    }

    /** A table for n-bit samples from a curve on [0, 1]. */
    private static int[] toneTable(int bits, DoubleUnaryOperator curve) {
        int max = (1 << bits) - 1;
        int[] table = new int[max + 1];
        for (int v = 0; v <= max; v++) {
            table[v] = (int) Math.round(curve.applyAsDouble(v / (double) max) * max);
        }
        return table;
    }

    /** A gray profile's response for every n-bit sample, computed by the colour engine into 16-bit sRGB. */
    private static int[] grayProfileTable(ICC_Profile profile, int bits) {
        int max = (1 << bits) - 1;
        ComponentColorModel source = new ComponentColorModel(new ICC_ColorSpace(profile), new int[]{16}, false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster ramp = source.createCompatibleWritableRaster(max + 1, 1);
        for (int v = 0; v <= max; v++) {
            ramp.setSample(v, 0, 0, (int) Math.round(v * 65535.0 / max));
        }
        ComponentColorModel srgb = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[]{16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage out = new BufferedImage(srgb, srgb.createCompatibleWritableRaster(max + 1, 1), false, null);
        new ColorConvertOp(null).filter(new BufferedImage(source, ramp, false, null), out);
        int[] table = new int[max + 1];
        for (int v = 0; v <= max; v++) {
            table[v] = (int) Math.round(out.getRaster().getSample(v, 0, 1) * (double) max / 65535);
        }
        return table;
    }

    /** Every palette entry converted from the profile's RGB to sRGB, as 0xRRGGBB. */
    private static int[] convertPalette(IndexColorModel icm, ICC_Profile profile) {
        int size = icm.getMapSize();
        ComponentColorModel source = new ComponentColorModel(new ICC_ColorSpace(profile), new int[]{8, 8, 8}, false,
                false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster entries = source.createCompatibleWritableRaster(size, 1);
        for (int i = 0; i < size; i++) {
            entries.setPixel(i, 0, new int[]{icm.getRed(i), icm.getGreen(i), icm.getBlue(i)});
        }
        BufferedImage out = new BufferedImage(size, 1, BufferedImage.TYPE_INT_RGB);
        new ColorConvertOp(null).filter(new BufferedImage(source, entries, false, null), out);
        return out.getRGB(0, 0, size, 1, null, 0, size);
    }

    /** The same raster under a palette with new colours (0xRRGGBB) and the old alphas. */
    private static BufferedImage withPalette(BufferedImage image, IndexColorModel icm, int[] rgbs) {
        int size = icm.getMapSize();
        byte[] r = new byte[size];
        byte[] g = new byte[size];
        byte[] b = new byte[size];
        byte[] a = new byte[size];
        for (int i = 0; i < size; i++) {
            r[i] = (byte) (rgbs[i] >> 16);
            g[i] = (byte) (rgbs[i] >> 8);
            b[i] = (byte) rgbs[i];
            a[i] = (byte) icm.getAlpha(i);
        }
        IndexColorModel recoloured = icm.hasAlpha() ? new IndexColorModel(icm.getPixelSize(), size, r, g, b, a)
                : new IndexColorModel(icm.getPixelSize(), size, r, g, b);
        return new BufferedImage(recoloured, image.getRaster(), false, null);
    }

    private static boolean allGray(IndexColorModel icm) {
        for (int i = 0; i < icm.getMapSize(); i++) {
            if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) {
                return false;
            }
        }
        return true;
    }

    private static double srgbEncode(double linear) {
        return linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
    }
}
