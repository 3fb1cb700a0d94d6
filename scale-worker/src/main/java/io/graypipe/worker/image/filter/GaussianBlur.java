package io.graypipe.worker.image.filter;

/**
 * Pillow's {@code GaussianBlur(σ)}, reproduced exactly: three passes of an "extended" box blur (Gwosdek et al.,
 * fractional radius) horizontally, then three vertically, each pass rounded to 8 bits, edges extended by
 * repeating the outermost pixel. The box radius comes from σ as in Pillow's {@code _gaussian_blur_radius}, in
 * single precision like Pillow, and the weights are Pillow's 24-bit fixed-point ones, so the result matches
 * Pillow's bit for bit, border included. Each pass is a running sum: the cost does not depend on σ.
 */
final class GaussianBlur {
    private static final int PASSES = 3;

    private GaussianBlur() {
    }

    /** Blurs one {@code w × h} plane; returns a new array. */
    static byte[] blur(byte[] plane, int w, int h, double sigma) {
        Box box = Box.of(boxRadius((float) sigma));
        byte[] a = new byte[plane.length];
        byte[] b = new byte[plane.length];
        horizontal(plane, a, w, h, box);
        horizontal(a, b, w, h, box);
        horizontal(b, a, w, h, box);
        int[] acc = new int[w];
        vertical(a, b, w, h, box, acc);
        vertical(b, a, w, h, box, acc);
        vertical(a, b, w, h, box, acc);
        return b;
    }

    /** Pillow's {@code _gaussian_blur_radius(radius, 3)}, float for float. */
    static float boxRadius(float sigma) {
        float sigma2 = sigma * sigma / PASSES;
        float length = (float) Math.sqrt(12.0 * sigma2 + 1.0);
        float whole = (float) Math.floor((length - 1.0) / 2.0);
        float fraction = (2 * whole + 1) * (whole * (whole + 1) - 3 * sigma2);
        fraction /= 6 * (sigma2 - (whole + 1) * (whole + 1));
        return whole + fraction;
    }

    /** Integer radius and Pillow's weights: {@code ww} for the 2r+1 inner pixels, {@code fw} for the two outer. */
    private record Box(int radius, int ww, int fw) {
        static Box of(float radius) {
            int r = (int) radius;
            int ww = (int) (16_777_216f / (radius * 2 + 1));
            return new Box(r, ww, ((1 << 24) - (r * 2 + 1) * ww) / 2);
        }
    }

    /**
     * One pass along rows. The sums wrap as unsigned 32-bit like Pillow's UINT32 (at most 255·2^24 + 2^23), so
     * {@code >>> 24} gives the right byte.
     */
    private static void horizontal(byte[] src, byte[] dst, int w, int h, Box box) {
        int r = box.radius;
        int ww = box.ww;
        int fw = box.fw;
        int last = w - 1;
        int middleEnd = w - r - 1;
        for (int y = 0, row = 0; y < h; y++, row += w) {
            int acc = (r + 1) * (src[row] & 0xff);
            for (int k = 0; k < r; k++) {
                acc += src[row + Math.min(k, last)] & 0xff;
            }
            int x = 0;
            for (int edge = Math.min(r + 1, w); x < edge; x++) {
                int out = src[row] & 0xff;
                acc += (src[row + Math.min(x + r, last)] & 0xff) - out;
                int far = src[row + Math.min(x + r + 1, last)] & 0xff;
                dst[row + x] = (byte) ((acc * ww + (out + far) * fw + (1 << 23)) >>> 24);
            }
            for (; x < middleEnd; x++) {
                int out = src[row + x - r - 1] & 0xff;
                acc += (src[row + x + r] & 0xff) - out;
                int far = src[row + x + r + 1] & 0xff;
                dst[row + x] = (byte) ((acc * ww + (out + far) * fw + (1 << 23)) >>> 24);
            }
            for (; x < w; x++) {
                int out = src[row + Math.max(x - r - 1, 0)] & 0xff;
                acc += (src[row + Math.min(x + r, last)] & 0xff) - out;
                int far = src[row + Math.min(x + r + 1, last)] & 0xff;
                dst[row + x] = (byte) ((acc * ww + (out + far) * fw + (1 << 23)) >>> 24);
            }
        }
    }

    /** One pass along columns, a row at a time so memory is read in order; {@code acc} holds one sum per column. */
    private static void vertical(byte[] src, byte[] dst, int w, int h, Box box, int[] acc) {
        int r = box.radius;
        int ww = box.ww;
        int fw = box.fw;
        int last = h - 1;
        for (int x = 0; x < w; x++) {
            int sum = (r + 1) * (src[x] & 0xff);
            for (int k = 0; k < r; k++) {
                sum += src[Math.min(k, last) * w + x] & 0xff;
            }
            acc[x] = sum;
        }
        for (int y = 0; y < h; y++) {
            int leaving = Math.max(y - r - 1, 0) * w;
            int entering = Math.min(y + r, last) * w;
            int far = Math.min(y + r + 1, last) * w;
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int out = src[leaving + x] & 0xff;
                int sum = acc[x] + (src[entering + x] & 0xff) - out;
                acc[x] = sum;
                dst[row + x] = (byte) ((sum * ww + (out + (src[far + x] & 0xff)) * fw + (1 << 23)) >>> 24);
            }
        }
    }
}
