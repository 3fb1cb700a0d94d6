package io.graypipe.front.image;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.CodecException;

import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * AVIF uploads through libavif: the container's header is checked against the limits before any pixel is decoded,
 * then the first image becomes BT.601 gray ({@link Luma}), with alpha when the file has it.
 *
 * @param avif libavif; null refuses AVIF uploads
 */
record AvifDecoder(ImageLimits limits, Avif avif) implements FormatDecoder {
    /**
     * Decodes within {@code limits} (libavif's own frame size limit too); without
     * libavif ({@code avif} null) the upload is refused with 415 naming the package.
     */
    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        if (avif == null) {
            throw new FrontException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "AVIF uploads need libavif (Debian package "
                    + Avif.PACKAGE + ") where the front runs, and it is not loaded; convert the image to JPEG or PNG");
        }
        byte[] bytes = readAll(in);
        Avif.Rgba rgba;
        try {
            rgba = avif.decode(bytes, bytes.length, limits.maxPixels(),
                    header -> limits.check(ImageFormat.AVIF, header.width(), header.height()));
        } catch (CodecException e) {
            throw new FrontException(ErrorCode.UNDECODABLE_IMAGE, "the image could not be decoded: the AVIF is"
                    + " corrupt or truncated (" + e.getMessage() + "); upload the complete file");
        }
        ImageData gray = toGray(rgba);
        return new DecodedImage(ImageFormat.AVIF, gray.width(), gray.height(), gray);
    }

    private static byte[] readAll(ImageInputStream in) throws IOException {
        in.seek(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length() > 0 ? (int) Math.min(in.length(), 1 << 30) : 1 << 16);
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static ImageData toGray(Avif.Rgba rgba) {
        byte[] src = rgba.pixels();
        int count = rgba.width() * rgba.height();
        int bpp = rgba.hasAlpha() ? 2 : 1;
        byte[] out = new byte[count * bpp];
        for (int i = 0, s = 0, d = 0; i < count; i++, s += 4, d += bpp) {
            out[d] = (byte) Luma.of(src[s] & 0xff, src[s + 1] & 0xff, src[s + 2] & 0xff);
            if (bpp == 2) {
                out[d + 1] = src[s + 3];
            }
        }
        return new ImageData(rgba.hasAlpha() ? PixelFormat.GRAY_ALPHA8 : PixelFormat.GRAY8, rgba.width(),
                rgba.height(), out);
    }
}
