package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import java.util.function.UnaryOperator;

/**
 * The image the filters work on: GRAY, GRAY+ALPHA, RGB or RGBA, stored <em>planar</em>. Each colour channel is
 * its own {@code width·height} byte array, row-major, no padding (one plane for gray, three for R, G, B), and
 * alpha, when present, is one more such plane. Planes let every kernel be written once for a single 8-bit
 * channel and run on each colour plane in turn, while alpha is carried along untouched. A GRAY8 raster wraps
 * the wire array without copying.
 *
 * <p>Planes are handed over, not copied: whoever builds a raster does not modify the arrays afterwards, and
 * filters always write new arrays.
 */
public final class PlanarRaster {
    private final int width;
    private final int height;
    private final byte[][] colour;
    private final byte[] alpha;

    /**
     * @param colour one plane (gray) or three (R, G, B), each {@code width·height} bytes
     * @param alpha  the alpha plane, or null when the image is opaque
     */
    public PlanarRaster(int width, int height, byte[][] colour, byte[] alpha) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("raster dimensions must be positive: " + width + "x" + height);
        }
        if (colour.length != 1 && colour.length != 3) {
            throw new IllegalArgumentException("a raster has 1 or 3 colour planes, not " + colour.length);
        }
        int size = Math.multiplyExact(width, height);
        for (byte[] plane : colour) {
            checkPlane(plane, size);
        }
        if (alpha != null) {
            checkPlane(alpha, size);
        }
        this.width = width;
        this.height = height;
        this.colour = colour.clone();
        this.alpha = alpha;
    }

    private static void checkPlane(byte[] plane, int size) {
        if (plane.length != size) {
            throw new IllegalArgumentException("plane of " + plane.length + " bytes, needs " + size);
        }
    }

    /** Inline GRAY8 wraps the array; GRAY_ALPHA8 is split into a gray and an alpha plane. */
    public static PlanarRaster of(ImageData image) {
        if (image.isShared()) {
            throw new IllegalArgumentException("a raster in a shared region must be read before filtering");
        }
        int w = image.width();
        int h = image.height();
        return switch (image.format()) {
            case GRAY8 -> new PlanarRaster(w, h, new byte[][]{image.data()}, null);
            case GRAY_ALPHA8 -> {
                byte[] src = image.data();
                byte[] gray = new byte[w * h];
                byte[] alpha = new byte[w * h];
                for (int i = 0, s = 0; i < gray.length; i++, s += 2) {
                    gray[i] = src[s];
                    alpha[i] = src[s + 1];
                }
                yield new PlanarRaster(w, h, new byte[][]{gray}, alpha);
            }
        };
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether this is RGB(A) rather than gray. */
    public boolean isColour() {
        return colour.length == 3;
    }

    public boolean hasAlpha() {
        return alpha != null;
    }

    /** 1 for gray, 3 for R, G, B. */
    public int colourPlanes() {
        return colour.length;
    }

    /** Colour plane {@code c} (0 = gray or red). Read-only by convention. */
    public byte[] plane(int c) {
        return colour[c];
    }

    /** The alpha plane, or null. Read-only by convention. */
    public byte[] alpha() {
        return alpha;
    }

    /** The same size and alpha with each colour plane replaced by {@code kernel} of it. */
    public PlanarRaster mapColour(UnaryOperator<byte[]> kernel) {
        byte[][] planes = new byte[colour.length][];
        for (int c = 0; c < planes.length; c++) {
            planes[c] = kernel.apply(colour[c]);
        }
        return new PlanarRaster(width, height, planes, alpha);
    }

    /** A gray raster as GRAY8 (the plane itself) or GRAY_ALPHA8. */
    public ImageData toGrayImageData() {
        if (isColour()) {
            throw new IllegalStateException("an RGB raster is not gray");
        }
        if (alpha == null) {
            return new ImageData(PixelFormat.GRAY8, width, height, colour[0]);
        }
        return new ImageData(PixelFormat.GRAY_ALPHA8, width, height, interleaved());
    }

    /** The pixels interleaved: gray or R, G, B, then alpha when present. */
    public byte[] interleaved() {
        int planes = colour.length + (alpha == null ? 0 : 1);
        int size = width * height;
        byte[] out = new byte[size * planes];
        for (int c = 0; c < planes; c++) {
            byte[] plane = c < colour.length ? colour[c] : alpha;
            for (int i = 0, d = c; i < size; i++, d += planes) {
                out[d] = plane[i];
            }
        }
        return out;
    }
}
