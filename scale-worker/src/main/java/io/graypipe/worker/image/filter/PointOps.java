package io.graypipe.worker.image.filter;

import io.graypipe.worker.image.PlanarRaster;

/**
 * Operations that map each level through a 256-entry table, built once per call: invert, brightness, contrast,
 * posterize. Brightness and contrast reproduce Pillow's {@code ImageEnhance} exactly: Pillow blends in single
 * precision and truncates, {@code (UINT8)(m + F·(v − m))}, clamped to 0..255, and so do these tables.
 */
final class PointOps {
    private PointOps() {
    }

    static PlanarRaster invert(PlanarRaster raster) {
        byte[] table = new byte[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (byte) (255 - v);
        }
        return map(raster, table);
    }

    /** Pillow's Brightness: a blend from black, {@code trunc(F·v)} in float, clamped. */
    static PlanarRaster brightness(PlanarRaster raster, double factor) {
        return map(raster, blendTable(0, (float) factor));
    }

    /**
     * Pillow's Contrast: a blend from the flat image at the mean level {@code m}, the mean of the Pillow "L"
     * conversion rounded half up (for RGB, {@code (19595·R + 38470·G + 7471·B + 2^15) >> 16}; alpha ignored).
     */
    static PlanarRaster contrast(PlanarRaster raster, double factor) {
        return map(raster, blendTable(meanLevel(raster), (float) factor));
    }

    /** Pillow's ImageOps.posterize: keep the top {@code bits} bits. */
    static PlanarRaster posterize(PlanarRaster raster, int bits) {
        int mask = ~((1 << (8 - bits)) - 1) & 0xff;
        byte[] table = new byte[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (byte) (v & mask);
        }
        return map(raster, table);
    }

    /** Pillow's ImagingBlend of a flat {@code base} image with the image, in float, truncated and clamped. */
    private static byte[] blendTable(int base, float alpha) {
        byte[] table = new byte[256];
        for (int v = 0; v < 256; v++) {
            float t = base + alpha * (v - base);
            table[v] = (byte) (t <= 0f ? 0 : t >= 255f ? 255 : (int) t);
        }
        return table;
    }

    static int meanLevel(PlanarRaster raster) {
        long sum = 0;
        int n = raster.width() * raster.height();
        if (raster.isColour()) {
            byte[] r = raster.plane(0);
            byte[] g = raster.plane(1);
            byte[] b = raster.plane(2);
            for (int i = 0; i < n; i++) {
                sum += ((r[i] & 0xff) * 19595 + (g[i] & 0xff) * 38470 + (b[i] & 0xff) * 7471 + 0x8000) >> 16;
            }
        } else {
            byte[] gray = raster.plane(0);
            for (int i = 0; i < n; i++) {
                sum += gray[i] & 0xff;
            }
        }
        return (int) ((2 * sum + n) / (2L * n));
    }

    private static PlanarRaster map(PlanarRaster raster, byte[] table) {
        return raster.mapColour(plane -> {
            byte[] out = new byte[plane.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = table[plane[i] & 0xff];
            }
            return out;
        });
    }
}
