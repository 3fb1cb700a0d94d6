package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.ScaleRequest;

import java.math.BigInteger;

/**
 * Downscaling by exact area averaging: each output pixel is the area-weighted mean of the source rectangle it
 * covers, fractional coverage at its edges included, rounded to nearest (halves up).
 *
 * <p>Output pixel i covers source span [i·w/ow, (i+1)·w/ow). Measured in units of 1/ow' of a source pixel
 * (ow' = ow / gcd(w, ow)), every overlap is a whole number, so the weights are exact integers that sum to
 * w' = w / gcd(w, ow) per output pixel, and the whole computation is exact integer arithmetic. The work is
 * separable: a horizontal pass per source row, accumulated vertically per output row. Whole-number ratios take
 * a box-filter path (an unrolled loop for 2×2).
 *
 * <p>Gray+alpha is averaged in premultiplied form and un-premultiplied, so the gray under fully transparent
 * pixels does not bleed into visible ones.
 */
public final class AreaAverageScaler {
    private AreaAverageScaler() {
    }

    /**
     * Scales GRAY8 or GRAY_ALPHA8 by {@code factor} in (0, 1], to {@link ScaleRequest#targetSize} of each side.
     * A factor that keeps both sides returns {@code src} itself.
     */
    public static ImageData scale(ImageData src, double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("scale factor must be in (0, 1]: " + factor);
        }
        return scale(src, ScaleRequest.targetSize(src.width(), factor), ScaleRequest.targetSize(src.height(), factor));
    }

    /**
     * Scales inline GRAY8 or GRAY_ALPHA8 pixels to exactly {@code ow × oh}, each no larger than the source side.
     * A target equal to the source returns {@code src} itself.
     */
    public static ImageData scale(ImageData src, int ow, int oh) {
        PixelFormat format = src.format();
        int w = src.width();
        int h = src.height();
        if (ow < 1 || oh < 1 || ow > w || oh > h) {
            throw new IllegalArgumentException(String.format("target %dx%d must be within 1x1..%dx%d", ow, oh, w, h));
        }
        if (ow == w && oh == h) {
            return src;
        }
        if (format == PixelFormat.GRAY8) {
            if (w % ow == 0 && h % oh == 0) {
                return new ImageData(format, ow, oh, boxGray(src.data(), w, ow, oh, w / ow, h / oh));
            }
            return new ImageData(format, ow, oh, areaGray(src.data(), w, h, ow, oh));
        }
        return new ImageData(format, ow, oh, areaGrayAlpha(src.data(), w, h, ow, oh));
    }

    // ---- GRAY8, whole-number ratios ----

    private static byte[] boxGray(byte[] src, int w, int ow, int oh, int kx, int ky) {
        byte[] out = new byte[ow * oh];
        if (kx == 2 && ky == 2) {
            for (int y = 0; y < oh; y++) {
                int r0 = 2 * y * w;
                int r1 = r0 + w;
                int o = y * ow;
                for (int x = 0; x < ow; x++) {
                    int s = 2 * x;
                    int sum = (src[r0 + s] & 0xff) + (src[r0 + s + 1] & 0xff)
                            + (src[r1 + s] & 0xff) + (src[r1 + s + 1] & 0xff);
                    out[o + x] = (byte) ((sum + 2) >> 2);
                }
            }
            return out;
        }
        Divider divider = new Divider(2L * kx * ky);
        long bias = (long) kx * ky;
        int[] acc = new int[ow];
        for (int y = 0; y < oh; y++) {
            java.util.Arrays.fill(acc, 0);
            for (int r = 0; r < ky; r++) {
                int row = (y * ky + r) * w;
                for (int x = 0, s = row; x < ow; x++) {
                    int sum = 0;
                    for (int k = 0; k < kx; k++, s++) {
                        sum += src[s] & 0xff;
                    }
                    acc[x] += sum;
                }
            }
            int o = y * ow;
            for (int x = 0; x < ow; x++) {
                out[o + x] = (byte) divider.divide(2L * acc[x] + bias);
            }
        }
        return out;
    }

    // ---- GRAY8, any ratio ----

    private static byte[] areaGray(byte[] src, int w, int h, int ow, int oh) {
        Weights wx = new Weights(w, ow);
        Weights wy = new Weights(h, oh);
        long denominator = (long) wx.total * wy.total;
        Divider divider = new Divider(2 * denominator);
        byte[] out = new byte[ow * oh];
        int[] row = new int[ow];
        long[] acc = new long[ow];
        int cachedRow = -1;
        int[] cached = new int[ow];
        for (int y = 0; y < oh; y++) {
            java.util.Arrays.fill(acc, 0);
            int first = wy.first[y];
            for (int k = 0; k < wy.count[y]; k++) {
                int sy = first + k;
                int weight = wy.weights[wy.offset[y] + k];
                int[] hr;
                if (sy == cachedRow) {
                    hr = cached;
                } else {
                    horizontal(src, sy * w, wx, row, ow);
                    // Keep the last source row: the next output row starts on it when spans share a row.
                    int[] t = cached;
                    cached = row;
                    row = t;
                    cachedRow = sy;
                    hr = cached;
                }
                for (int x = 0; x < ow; x++) {
                    acc[x] += (long) weight * hr[x];
                }
            }
            int o = y * ow;
            for (int x = 0; x < ow; x++) {
                out[o + x] = (byte) divider.divide(2 * acc[x] + denominator);
            }
        }
        return out;
    }

    private static void horizontal(byte[] src, int rowStart, Weights wx, int[] into, int ow) {
        int[] first = wx.first;
        int[] count = wx.count;
        int[] offset = wx.offset;
        int[] weights = wx.weights;
        for (int x = 0; x < ow; x++) {
            int s = rowStart + first[x];
            int o = offset[x];
            int n = count[x];
            int sum = 0;
            for (int k = 0; k < n; k++) {
                sum += weights[o + k] * (src[s + k] & 0xff);
            }
            into[x] = sum;
        }
    }

    // ---- GRAY_ALPHA8, any ratio, premultiplied ----

    private static byte[] areaGrayAlpha(byte[] src, int w, int h, int ow, int oh) {
        Weights wx = new Weights(w, ow);
        Weights wy = new Weights(h, oh);
        long denominator = (long) wx.total * wy.total;
        byte[] out = new byte[ow * oh * 2];
        long[] rowP = new long[ow];
        long[] rowA = new long[ow];
        long[] accP = new long[ow];
        long[] accA = new long[ow];
        for (int y = 0; y < oh; y++) {
            java.util.Arrays.fill(accP, 0);
            java.util.Arrays.fill(accA, 0);
            for (int k = 0; k < wy.count[y]; k++) {
                int sy = wy.first[y] + k;
                int weight = wy.weights[wy.offset[y] + k];
                int rowStart = sy * w * 2;
                for (int x = 0; x < ow; x++) {
                    int s = rowStart + 2 * wx.first[x];
                    long p = 0;
                    long a = 0;
                    for (int j = 0, o = wx.offset[x]; j < wx.count[x]; j++, s += 2) {
                        int alpha = src[s + 1] & 0xff;
                        int wgt = wx.weights[o + j];
                        p += (long) wgt * (src[s] & 0xff) * alpha;
                        a += (long) wgt * alpha;
                    }
                    rowP[x] = p;
                    rowA[x] = a;
                }
                for (int x = 0; x < ow; x++) {
                    accP[x] += weight * rowP[x];
                    accA[x] += weight * rowA[x];
                }
            }
            int o = y * ow * 2;
            for (int x = 0; x < ow; x++) {
                long a = accA[x];
                int gray = a == 0 ? 0 : (int) Math.min(255, (2 * accP[x] + a) / (2 * a));
                out[o + 2 * x] = (byte) gray;
                out[o + 2 * x + 1] = (byte) ((2 * a + denominator) / (2 * denominator));
            }
        }
        return out;
    }

    /** Integer overlap weights of each output pixel with the source pixels along one axis. */
    static final class Weights {
        final int[] first;
        final int[] count;
        final int[] offset;
        final int[] weights;
        /** What each output pixel's weights add up to. */
        final int total;

        Weights(int n, int m) {
            int g = BigInteger.valueOf(n).gcd(BigInteger.valueOf(m)).intValue();
            int srcUnit = m / g;   // one source pixel, in common units
            int dstUnit = n / g;   // one output pixel, in common units
            total = dstUnit;
            first = new int[m];
            count = new int[m];
            offset = new int[m];
            int[] buffer = new int[n + m];
            int used = 0;
            for (int i = 0; i < m; i++) {
                long start = (long) i * dstUnit;
                long end = start + dstUnit;
                int j0 = (int) (start / srcUnit);
                int j1 = (int) ((end + srcUnit - 1) / srcUnit); // exclusive
                first[i] = j0;
                count[i] = j1 - j0;
                offset[i] = used;
                for (int j = j0; j < j1; j++) {
                    long lo = Math.max(start, (long) j * srcUnit);
                    long hi = Math.min(end, (long) (j + 1) * srcUnit);
                    buffer[used++] = (int) (hi - lo);
                }
            }
            weights = java.util.Arrays.copyOf(buffer, used);
        }
    }

    /**
     * Floor division by a fixed divisor with one multiply: for n ≤ 256·d, floor(n / d) equals
     * multiplyHigh(n, ceil(2^(64+s) / d)) >> s with s = floor(log2 d) - 1 (shown in the class tests).
     */
    static final class Divider {
        private final long divisor;
        private final int shift;
        private final long multiplier;
        private final boolean powerOfTwo;

        Divider(long divisor) {
            if (divisor < 1 || divisor > (1L << 52)) {
                throw new IllegalArgumentException("divisor out of range: " + divisor);
            }
            this.divisor = divisor;
            powerOfTwo = Long.bitCount(divisor) == 1;
            if (powerOfTwo) {
                shift = Long.numberOfTrailingZeros(divisor);
                multiplier = 0;
            } else {
                shift = 63 - Long.numberOfLeadingZeros(divisor) - 1;
                BigInteger[] qr = BigInteger.ONE.shiftLeft(64 + shift).divideAndRemainder(BigInteger.valueOf(divisor));
                multiplier = qr[0].add(qr[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE).longValueExact();
            }
        }

        long divide(long n) {
            return powerOfTwo ? n >>> shift : Math.multiplyHigh(n, multiplier) >>> shift;
        }

        long divisor() {
            return divisor;
        }
    }
}
