package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * One request to a codec binding's encoder, as {@link AvifFuzzTest#encode} and {@link WebPFuzzTest#encode} make it
 * from the fuzzer's bytes. First a boolean: when false, a consistent image (width and height 1..64, channels 1..4,
 * exactly the pixels they need, quality 1..100); when true, any width, height, channel count (-1..6), quality
 * (-1..101) and buffer length (0..4096), which the binding must refuse unless they happen to agree.
 */
record EncodeRequest(byte[] pixels, int width, int height, int channels, int quality) {
    static EncodeRequest from(FuzzedDataProvider data) {
        boolean hostile = data.consumeBoolean();
        if (hostile) {
            int width = data.consumeInt();
            int height = data.consumeInt();
            int channels = data.consumeInt(-1, 6);
            int quality = data.consumeInt(-1, 101);
            return new EncodeRequest(data.consumeBytes(data.consumeInt(0, 4096)), width, height, channels, quality);
        }
        int width = data.consumeInt(1, 64);
        int height = data.consumeInt(1, 64);
        int channels = data.consumeInt(1, 4);
        int quality = data.consumeInt(1, 100);
        byte[] pixels = new byte[width * height * channels];
        byte[] given = data.consumeRemainingAsBytes();
        System.arraycopy(given, 0, pixels, 0, Math.min(given.length, pixels.length));
        return new EncodeRequest(pixels, width, height, channels, quality);
    }

    boolean consistent() {
        return channels >= 1 && channels <= 4 && width >= 1 && height >= 1 && quality >= 1 && quality <= 100
                && (long) width * height * channels == pixels.length;
    }

    /** Whether the pixels have an alpha channel with a value under 255. */
    boolean translucent() {
        if (channels != 2 && channels != 4) {
            return false;
        }
        for (int i = channels - 1; i < pixels.length; i += channels) {
            if (pixels[i] != (byte) 0xff) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return width + "x" + height + " x" + channels + " q" + quality + " in " + pixels.length + " bytes";
    }
}
