package io.graypipe.worker.image.filter;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.worker.image.AreaAverageScaler;
import io.graypipe.worker.image.PlanarRaster;

/** Rotation and mirroring (exact, alpha included) and resizing to fit a box (the scaler's area average). */
final class Geometry {
    private Geometry() {
    }

    /** Clockwise by 90, 180 or 270 degrees. */
    static PlanarRaster rotate(PlanarRaster raster, int degrees) {
        int w = raster.width();
        int h = raster.height();
        boolean quarter = degrees != 180;
        return eachPlane(raster, quarter ? h : w, quarter ? w : h, src -> {
            byte[] out = new byte[src.length];
            switch (degrees) {
                case 90 -> {
                    // (x, y) goes to (h − 1 − y, x) in an h-wide image
                    for (int y = 0, s = 0; y < h; y++) {
                        for (int x = 0, d = h - 1 - y; x < w; x++, s++, d += h) {
                            out[d] = src[s];
                        }
                    }
                }
                case 180 -> {
                    for (int s = 0, d = src.length - 1; s < src.length; s++, d--) {
                        out[d] = src[s];
                    }
                }
                case 270 -> {
                    // (x, y) goes to (y, w − 1 − x)
                    for (int y = 0, s = 0; y < h; y++) {
                        for (int x = 0, d = (w - 1) * h + y; x < w; x++, s++, d -= h) {
                            out[d] = src[s];
                        }
                    }
                }
                default -> throw new IllegalArgumentException("rotate by 90, 180 or 270, not " + degrees);
            }
            return out;
        });
    }

    /** {@code horizontal}: left–right mirror; otherwise top–bottom. */
    static PlanarRaster flip(PlanarRaster raster, boolean horizontal) {
        int w = raster.width();
        int h = raster.height();
        return eachPlane(raster, w, h, src -> {
            byte[] out = new byte[src.length];
            for (int y = 0; y < h; y++) {
                int row = y * w;
                if (horizontal) {
                    for (int x = 0, d = row + w - 1; x < w; x++, d--) {
                        out[d] = src[row + x];
                    }
                } else {
                    System.arraycopy(src, row, out, (h - 1 - y) * w, w);
                }
            }
            return out;
        });
    }

    /**
     * Fits inside {@code boxW × boxH} keeping the aspect ratio, never enlarging: the limiting side becomes the
     * box's, the other {@code max(1, floor(side·ratio))} in exact integers. Scaling is the area average of the
     * {@code scale} step; with alpha, each colour plane is averaged premultiplied with the alpha plane, as the
     * scaler does for gray+alpha.
     */
    static PlanarRaster resize(PlanarRaster raster, int boxW, int boxH) {
        int w = raster.width();
        int h = raster.height();
        if (w <= boxW && h <= boxH) {
            return raster;
        }
        int[] fitted = OpChain.fitInside(w, h, boxW, boxH);
        int ow = fitted[0];
        int oh = fitted[1];
        byte[] alpha = raster.alpha();
        byte[][] planes = new byte[raster.colourPlanes()][];
        byte[] scaledAlpha = null;
        for (int c = 0; c < planes.length; c++) {
            if (alpha == null) {
                planes[c] = AreaAverageScaler.scale(new ImageData(PixelFormat.GRAY8, w, h, raster.plane(c)), ow, oh)
                        .data();
            } else {
                PlanarRaster pair = PlanarRaster.of(AreaAverageScaler.scale(
                        new PlanarRaster(w, h, new byte[][]{raster.plane(c)}, alpha).toGrayImageData(), ow, oh));
                planes[c] = pair.plane(0);
                scaledAlpha = pair.alpha();
            }
        }
        return new PlanarRaster(ow, oh, planes, scaledAlpha);
    }

    private static PlanarRaster eachPlane(PlanarRaster raster, int ow, int oh,
                                          java.util.function.UnaryOperator<byte[]> transform) {
        byte[][] planes = new byte[raster.colourPlanes()][];
        for (int c = 0; c < planes.length; c++) {
            planes[c] = transform.apply(raster.plane(c));
        }
        byte[] alpha = raster.hasAlpha() ? transform.apply(raster.alpha()) : null;
        return new PlanarRaster(ow, oh, planes, alpha);
    }
}
