package io.graypipe.front.image;

/**
 * ITU-R BT.601 luma of 8-bit sRGB values: round(0.299 R + 0.587 G + 0.114 B), ties rounding up, computed
 * exactly. The fixed-point constants below (they add up to 2^19) give the same result as the exact rational
 * formula {@code (299 R + 587 G + 114 B + 500) / 1000} for all 2^24 inputs; {@code LumaTest} checks every one.
 * The common 16-bit constants (19595, 38470, 7471) are off by one for 9,040 inputs, so they are not used.
 */
final class Luma {
    static final int R = 156762;
    static final int G = 307757;
    static final int B = 59769;
    static final int ROUND = 262186;
    static final int SHIFT = 19;

    private Luma() {
    }

    static int of(int r, int g, int b) {
        return (R * r + G * g + B * b + ROUND) >> SHIFT;
    }

    /** 8-bit value of a 16-bit sample, rounded to nearest. */
    static int from16(int v) {
        return (v * 255 + 32767) / 65535;
    }
}
