package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;

/** Turns stored pixels upright according to an EXIF orientation value 1..8. */
final class Orientation {
    private Orientation() {
    }

    static boolean swapsDimensions(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /** Returns {@code image} itself for orientation 1 (or any value outside 2..8), otherwise a new image. */
    static ImageData apply(ImageData image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int bpp = image.format().bytesPerPixel();
        boolean swap = swapsDimensions(orientation);
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = image.data();
        byte[] dst = new byte[src.length];
        // For each output pixel (x, y), the source pixel is (sx0 + x*dxX + y*dxY, sy0 + x*dyX + y*dyY).
        int sx0;
        int sy0;
        int dxX;
        int dxY;
        int dyX;
        int dyY;
        switch (orientation) {
            case 2 -> { sx0 = w - 1; sy0 = 0; dxX = -1; dxY = 0; dyX = 0; dyY = 1; }
            case 3 -> { sx0 = w - 1; sy0 = h - 1; dxX = -1; dxY = 0; dyX = 0; dyY = -1; }
            case 4 -> { sx0 = 0; sy0 = h - 1; dxX = 1; dxY = 0; dyX = 0; dyY = -1; }
            case 5 -> { sx0 = 0; sy0 = 0; dxX = 0; dxY = 1; dyX = 1; dyY = 0; }
            case 6 -> { sx0 = 0; sy0 = h - 1; dxX = 0; dxY = 1; dyX = -1; dyY = 0; }
            case 7 -> { sx0 = w - 1; sy0 = h - 1; dxX = 0; dxY = -1; dyX = -1; dyY = 0; }
            default -> { sx0 = w - 1; sy0 = 0; dxX = 0; dxY = -1; dyX = 1; dyY = 0; } // 8
        }
        // Source index step when x advances by one, and when y advances by one.
        int stepX = (dyX * w + dxX) * bpp;
        int stepY = (dyY * w + dxY) * bpp;
        int rowStart = (sy0 * w + sx0) * bpp;
        int d = 0;
        for (int y = 0; y < oh; y++, rowStart += stepY) {
            int s = rowStart;
            if (bpp == 1) {
                for (int x = 0; x < ow; x++, s += stepX) {
                    dst[d++] = src[s];
                }
            } else {
                for (int x = 0; x < ow; x++, s += stepX) {
                    dst[d++] = src[s];
                    dst[d++] = src[s + 1];
                }
            }
        }
        return new ImageData(image.format(), ow, oh, dst);
    }
}
