package io.graypipe.worker.image.filter;

/**
 * Unsharp mask {@code v + A·(v − g)}, where g is {@link GaussianBlur} with σ = 1 (Pillow's GaussianBlur(1)), the
 * product rounded half away from zero and the sum clamped to 0..255. A table over the 511 possible differences
 * holds the rounded products, so the pass is integer only.
 */
final class Sharpen {
    private Sharpen() {
    }

    static byte[] sharpen(byte[] plane, int w, int h, double amount) {
        byte[] blurred = GaussianBlur.blur(plane, w, h, 1);
        int[] boost = new int[511];
        for (int d = -255; d <= 255; d++) {
            boost[d + 255] = (int) Math.signum(d) * (int) Math.floor(Math.abs(amount * d) + 0.5);
        }
        byte[] out = blurred; // each pixel reads its blurred value before overwriting it
        for (int i = 0; i < out.length; i++) {
            int v = plane[i] & 0xff;
            int s = v + boost[v - (blurred[i] & 0xff) + 255];
            out[i] = (byte) (s < 0 ? 0 : Math.min(s, 255));
        }
        return out;
    }
}
