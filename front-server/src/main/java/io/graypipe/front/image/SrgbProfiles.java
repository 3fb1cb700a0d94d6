package io.graypipe.front.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.nio.charset.StandardCharsets;

/**
 * Recognises sRGB under other names, as cameras and editors write it, by an ICC profile's colorants and tone curves:
 * an image in such a space is taken as sRGB without a colour conversion, which would change nothing but cost time.
 */
final class SrgbProfiles {
    private static final float[][] SRGB = colorants(ICC_Profile.getInstance(ColorSpace.CS_sRGB));

    private SrgbProfiles() {
    }

    static boolean isSrgbLike(ICC_Profile profile) {
        if (profile.getColorSpaceType() != ColorSpace.TYPE_RGB) {
            return false;
        }
        float[][] c = colorants(profile);
        if (c == null || SRGB == null) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (Math.abs(c[i][j] - SRGB[i][j]) > 0.01f) {
                    return false;
                }
            }
        }
        int[] trcs = {ICC_Profile.icSigRedTRCTag, ICC_Profile.icSigGreenTRCTag, ICC_Profile.icSigBlueTRCTag};
        for (int trc : trcs) {
            if (!srgbLikeTone(profile, trc)) {
                return false;
            }
        }
        return true;
    }

    /** A gray profile whose tone curve is sRGB's or gamma 2.2, so its stored values stand as they are. */
    static boolean isSrgbLikeGray(ICC_Profile profile) {
        return profile.getColorSpaceType() == ColorSpace.TYPE_GRAY
                && srgbLikeTone(profile, ICC_Profile.icSigGrayTRCTag);
    }

    private static boolean srgbLikeTone(ICC_Profile profile, int trcTag) {
        double mid = midTone(profile.getData(trcTag));
        return !Double.isNaN(mid) && Math.abs(mid - SRGB_MID) <= 0.03;
    }

    /** sRGB's transfer function at 0.5. */
    private static final double SRGB_MID = Math.pow((0.5 + 0.055) / 1.055, 2.4);

    /** A tone curve ('curv' or 'para') evaluated at 0.5, or NaN when it cannot be read. */
    private static double midTone(byte[] tag) {
        if (tag == null || tag.length < 12) {
            return Double.NaN;
        }
        String type = new String(tag, 0, 4, StandardCharsets.ISO_8859_1);
        if (type.equals("curv")) {
            int count = s32(tag, 8);
            if (count == 0) {
                return 0.5;
            }
            if (count == 1) {
                return Math.pow(0.5, u16(tag, 12) / 256.0);
            }
            if (count < 2 || tag.length < 12 + 2 * count) {
                return Double.NaN;
            }
            double pos = 0.5 * (count - 1);
            int i = (int) pos;
            double f = pos - i;
            double v = u16(tag, 12 + 2 * i) * (1 - f) + (i + 1 < count ? u16(tag, 14 + 2 * i) * f : 0);
            return v / 65535.0;
        }
        if (type.equals("para") && tag.length >= 16) {
            double gamma = s32(tag, 12) / 65536.0;
            // Types other than 0 add a linear toe (sRGB is type 3 with gamma 2.4); judge by gamma alone.
            return u16(tag, 8) == 0 ? Math.pow(0.5, gamma) : (gamma >= 2.2 && gamma <= 2.6 ? SRGB_MID : Double.NaN);
        }
        return Double.NaN;
    }

    private static int u16(byte[] d, int p) {
        return ((d[p] & 0xff) << 8) | (d[p + 1] & 0xff);
    }

    private static int s32(byte[] d, int p) {
        return (u16(d, p) << 16) | u16(d, p + 2);
    }

    private static float[][] colorants(ICC_Profile profile) {
        int[] tags = {ICC_Profile.icSigRedColorantTag, ICC_Profile.icSigGreenColorantTag,
                ICC_Profile.icSigBlueColorantTag};
        float[][] out = new float[3][];
        for (int i = 0; i < 3; i++) {
            byte[] tag = profile.getData(tags[i]);
            if (tag == null || tag.length < 20) {
                return null;
            }
            out[i] = new float[3];
            for (int j = 0; j < 3; j++) {
                int p = 8 + 4 * j;
                int fixed = ((tag[p] & 0xff) << 24) | ((tag[p + 1] & 0xff) << 16)
                        | ((tag[p + 2] & 0xff) << 8) | (tag[p + 3] & 0xff);
                out[i][j] = fixed / 65536f;
            }
        }
        return out;
    }
}
