package io.graypipe.front.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A JPEG's embedded ICC profile when it is damaged: the JPEG is then decoded as if it had none (its pixels taken
 * as sRGB), as PNG profiles that cannot be read are, and as browsers do. Both JPEG readers would otherwise use or
 * refuse the profile on their own terms.
 */
final class JpegIcc {
    private static final byte[] ICC_ID = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final String[] TONE_TAGS = {"rTRC", "gTRC", "bTRC", "kTRC"};

    private JpegIcc() {
    }

    /** Whether the colour engine can convert with the profile, and its tone curves are of a known type. */
    static boolean usable(byte[] profile) {
        try {
            ICC_Profile icc = ICC_Profile.getInstance(profile);
            ICC_ColorSpace space = new ICC_ColorSpace(icc);
            space.toRGB(new float[space.getNumComponents()]);
            if (icc.getColorSpaceType() == ColorSpace.TYPE_RGB || icc.getColorSpaceType() == ColorSpace.TYPE_GRAY) {
                for (String tag : TONE_TAGS) {
                    byte[] data = icc.getData(signature(tag));
                    if (data != null && !(startsWith(data, "curv") || startsWith(data, "para"))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The whole JPEG from {@code in} without its APP2 ICC_PROFILE segments (everything else byte for byte). */
    static ImageInputStream withoutProfile(ImageInputStream in) throws IOException {
        in.seek(0);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        for (int n; (n = in.read(buffer)) > 0; ) {
            all.write(buffer, 0, n);
        }
        byte[] jpeg = all.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int pos = 2;
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xff) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int length = ((jpeg[pos + 2] & 0xff) << 8) | (jpeg[pos + 3] & 0xff);
            int end = Math.min(jpeg.length, pos + 2 + length);
            boolean icc = marker == 0xE2 && length >= 2 + ICC_ID.length && pos + 4 + ICC_ID.length <= jpeg.length
                    && java.util.Arrays.equals(jpeg, pos + 4, pos + 4 + ICC_ID.length, ICC_ID, 0, ICC_ID.length);
            if (!icc) {
                out.write(jpeg, pos, end - pos);
            }
            pos = end;
        }
        out.write(jpeg, pos, jpeg.length - pos);
        return new ByteArrayImageInputStream(out.toByteArray());
    }

    private static int signature(String tag) {
        return (tag.charAt(0) << 24) | (tag.charAt(1) << 16) | (tag.charAt(2) << 8) | tag.charAt(3);
    }

    private static boolean startsWith(byte[] data, String type) {
        return data.length >= 4 && new String(data, 0, 4, StandardCharsets.ISO_8859_1).equals(type);
    }
}
