package io.graypipe.protocol.codec;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.Optional;

/**
 * libwebp's simple encoding API ({@code libwebp.so.7}, Debian's {@code libwebp7}) through JNA direct mapping.
 * WebP has no gray mode: gray pixels are given to it as R = G = B, which its RGB to YUV conversion turns into
 * neutral chroma, so the decoded image is gray again. Thread-safe: every call is independent.
 */
public final class WebP {
    /** The library loaded unless told otherwise. */
    public static final String DEFAULT_LIBRARY = "libwebp.so.7";
    /** The Debian package that holds it, named in errors and warnings. */
    public static final String PACKAGE = "libwebp7";

    private final String library;
    private final String version;

    private WebP(String library, String version) {
        this.library = library;
        this.version = version;
    }

    /**
     * Loads {@code library} (a file name for the dynamic linker, or a path). Empty, with the reason in
     * {@code whyNot} (one line), when it cannot be loaded or lacks the functions used here.
     */
    public static Optional<WebP> load(String library, StringBuilder whyNot) {
        try {
            NativeLoad.open(library, Api.class, "WebPGetEncoderVersion", "WebPEncodeRGB", "WebPEncodeRGBA",
                    "WebPEncodeLosslessRGB", "WebPEncodeLosslessRGBA", "WebPFree");
            int v = Api.WebPGetEncoderVersion();
            return Optional.of(new WebP(library, (v >> 16) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff)));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            whyNot.append(NativeLoad.oneLine(e));
            return Optional.empty();
        }
    }

    public String library() {
        return library;
    }

    /** The encoder's version, such as {@code 1.2.4}. */
    public String version() {
        return version;
    }

    /**
     * Encodes interleaved 8-bit pixels: {@code channels} 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA), rows top
     * to bottom without padding.
     *
     * @param quality  1..100, for lossy encoding
     * @param lossless encode losslessly; {@code quality} then only sets how hard libwebp compresses
     */
    public byte[] encode(byte[] pixels, int width, int height, int channels, int quality, boolean lossless)
            throws CodecException {
        Interleaved.check(pixels, width, height, channels);
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        boolean alpha = channels == 2 || channels == 4;
        int outChannels = alpha ? 4 : 3;
        byte[] rgb = Interleaved.toRgb(pixels, width * height, channels, outChannels);
        try (Memory in = new Memory((long) rgb.length)) {
            in.write(0, rgb, 0, rgb.length);
            PointerByReference out = new PointerByReference();
            int stride = width * outChannels;
            long size;
            if (lossless) {
                size = alpha ? Api.WebPEncodeLosslessRGBA(in, width, height, stride, out)
                        : Api.WebPEncodeLosslessRGB(in, width, height, stride, out);
            } else {
                size = alpha ? Api.WebPEncodeRGBA(in, width, height, stride, quality, out)
                        : Api.WebPEncodeRGB(in, width, height, stride, quality, out);
            }
            Pointer data = out.getValue();
            try {
                if (size <= 0 || data == null) {
                    throw new CodecException("libwebp could not encode a " + width + "x" + height + " image");
                }
                if (size > Integer.MAX_VALUE) {
                    throw new CodecException("the WebP is over 2 GiB");
                }
                return data.getByteArray(0, (int) size);
            } finally {
                if (data != null) {
                    Api.WebPFree(data);
                }
            }
        }
    }

    /** The C functions, bound once per JVM by direct mapping. */
    static final class Api {
        private Api() {
        }

        static native int WebPGetEncoderVersion();

        static native long WebPEncodeRGB(Pointer rgb, int width, int height, int stride, float quality,
                                         PointerByReference output);

        static native long WebPEncodeRGBA(Pointer rgba, int width, int height, int stride, float quality,
                                          PointerByReference output);

        static native long WebPEncodeLosslessRGB(Pointer rgb, int width, int height, int stride,
                                                 PointerByReference output);

        static native long WebPEncodeLosslessRGBA(Pointer rgba, int width, int height, int stride,
                                                  PointerByReference output);

        static native void WebPFree(Pointer pointer);
    }
}
