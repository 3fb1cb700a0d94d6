package io.graypipe.worker.image.filter;

/**
 * Pillow's 3×3 {@code ImageFilter.FIND_EDGES} and {@code EMBOSS}, exactly. Like Pillow, the one-pixel border
 * (first and last row and column) is copied unchanged, and an image narrower or lower than 3 pixels is returned
 * as it is. The kernels have integer weights, so integer sums, clamped to 0..255, give Pillow's levels.
 *
 * <p>Pillow applies its kernel's first row to the row <em>below</em> the pixel (its kernels are flipped top to
 * bottom but not left to right), so EMBOSS {@code [-1 0 0; 0 1 0; 0 0 0] + 128} is
 * {@code v(x, y) − v(x − 1, y + 1) + 128}.
 */
final class Convolution3x3 {
    private Convolution3x3() {
    }

    /**
     * {@code 8·v − (sum of the 8 neighbours)}, clamped, computed as {@code 9·v − (3×3 sum)} with the 3×3 sum
     * separable: per row, the column sums of three rows, then three of those.
     */
    static byte[] edges(byte[] src, int w, int h) {
        byte[] out = src.clone();
        if (w < 3 || h < 3) {
            return out;
        }
        int[] columns = new int[w];
        for (int y = 1; y < h - 1; y++) {
            int up = (y - 1) * w;
            int row = y * w;
            int down = (y + 1) * w;
            for (int x = 0; x < w; x++) {
                columns[x] = (src[up + x] & 0xff) + (src[row + x] & 0xff) + (src[down + x] & 0xff);
            }
            for (int x = 1; x < w - 1; x++) {
                int s = 9 * (src[row + x] & 0xff) - (columns[x - 1] + columns[x] + columns[x + 1]);
                out[row + x] = (byte) clamp(s);
            }
        }
        return out;
    }

    /** {@code v(x, y) − v(x − 1, y + 1) + 128}, clamped. */
    static byte[] emboss(byte[] src, int w, int h) {
        byte[] out = src.clone();
        if (w < 3 || h < 3) {
            return out;
        }
        for (int y = 1; y < h - 1; y++) {
            int row = y * w;
            int down = (y + 1) * w;
            for (int x = 1; x < w - 1; x++) {
                int s = (src[row + x] & 0xff) - (src[down + x - 1] & 0xff) + 128;
                out[row + x] = (byte) clamp(s);
            }
        }
        return out;
    }

    /**
     * 0..255 without branches: edge responses change sign from pixel to pixel, so a branch would be mispredicted
     * about half the time.
     */
    private static int clamp(int s) {
        return Math.min(s & ~(s >> 31), 255);
    }
}
