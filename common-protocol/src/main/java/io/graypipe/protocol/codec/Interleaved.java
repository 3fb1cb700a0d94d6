package io.graypipe.protocol.codec;

/** Checks and reshapes interleaved 8-bit pixels before they cross into a codec library. */
final class Interleaved {
    private Interleaved() {
    }

    /** Refuses a buffer whose length is not exactly width × height × channels, before any native call. */
    static void check(byte[] pixels, int width, int height, int channels) {
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels must be 1 to 4: " + channels);
        }
        if (width < 1 || height < 1 || (long) width * height * channels != pixels.length) {
            throw new IllegalArgumentException(String.format("%d bytes are not %dx%d pixels of %d channels",
                    pixels.length, width, height, channels));
        }
        if ((long) width * height * 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(width + "x" + height + " is too large to encode");
        }
    }

    /**
     * {@code count} pixels of {@code channels} (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) as {@code outChannels} (3 RGB
     * or 4 RGBA): gray becomes R = G = B, a missing alpha becomes opaque. Returns {@code pixels} itself when the
     * layouts agree.
     */
    static byte[] toRgb(byte[] pixels, int count, int channels, int outChannels) {
        if (channels == outChannels) {
            return pixels;
        }
        byte[] out = new byte[count * outChannels];
        for (int i = 0, s = 0, d = 0; i < count; i++, s += channels, d += outChannels) {
            boolean gray = channels <= 2;
            out[d] = pixels[s];
            out[d + 1] = gray ? pixels[s] : pixels[s + 1];
            out[d + 2] = gray ? pixels[s] : pixels[s + 2];
            if (outChannels == 4) {
                boolean hasAlpha = channels == 2 || channels == 4;
                out[d + 3] = hasAlpha ? pixels[s + channels - 1] : (byte) 0xff;
            }
        }
        return out;
    }
}
