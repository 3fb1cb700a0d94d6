package io.graypipe.protocol.codec;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.util.Optional;

/**
 * libavif 0.11 ({@code libavif.so.15}, Debian's {@code libavif15}) through JNA direct mapping: encoding gray (as
 * YUV 4:0:0, full range, so Y is the gray level), gray with alpha, RGB and RGBA (4:4:4, BT.601); and decoding the
 * first image of a file to RGBA. The struct offsets below are those of libavif 0.11.1 on LP64 (checked against
 * {@code /usr/include/avif/avif.h} with {@code offsetof}); every buffer is made and freed by the library's own
 * functions. Thread-safe: every call makes and destroys its own encoder or decoder.
 */
public final class Avif {
    /** The library loaded unless told otherwise. */
    public static final String DEFAULT_LIBRARY = "libavif.so.15";
    /** The Debian package that holds it, named in errors and warnings. */
    public static final String PACKAGE = "libavif15";
    /** libaom's speed, 0 (slowest, smallest) to 10: 8 encodes a 1080p gray image in well under a second. */
    static final int SPEED = 8;

    // avifImage
    private static final int IMAGE_WIDTH = 0;
    private static final int IMAGE_HEIGHT = 4;
    private static final int IMAGE_DEPTH = 8;
    private static final int IMAGE_YUV_RANGE = 16;
    private static final int IMAGE_Y_PLANE = 24;
    private static final int IMAGE_Y_ROW_BYTES = 48;
    private static final int IMAGE_ALPHA_PLANE = 64;
    private static final int IMAGE_ALPHA_ROW_BYTES = 72;
    private static final int IMAGE_MATRIX_COEFFICIENTS = 108;
    // avifEncoder
    private static final int ENCODER_MAX_THREADS = 4;
    private static final int ENCODER_SPEED = 8;
    private static final int ENCODER_MIN_QUANTIZER = 24;
    // avifDecoder
    private static final int DECODER_MAX_THREADS = 4;
    private static final int DECODER_IMAGE_SIZE_LIMIT = 28;
    private static final int DECODER_IMAGE = 48;
    private static final int DECODER_IMAGE_COUNT = 60;
    private static final int DECODER_ALPHA_PRESENT = 136;
    // avifRGBImage
    private static final int RGB_IMAGE_BYTES = 56;
    private static final int RGB_DEPTH = 8;
    private static final int RGB_FORMAT = 12;
    private static final int RGB_PIXELS = 40;
    private static final int RGB_ROW_BYTES = 48;
    private static final int RW_DATA_BYTES = 16;

    private static final int PIXEL_FORMAT_YUV444 = 1;
    private static final int PIXEL_FORMAT_YUV400 = 4;
    private static final int RANGE_FULL = 1;
    private static final int MATRIX_BT601 = 6;
    private static final int PLANES_YUV = 1;
    private static final int PLANES_A = 2;
    private static final int RGB_FORMAT_RGB = 0;
    private static final int RGB_FORMAT_RGBA = 1;
    private static final int MAX_QUANTIZER = 63;
    /** libavif's own default (AVIF_DEFAULT_IMAGE_SIZE_LIMIT): a caller's limit never raises it. */
    static final long LIBRARY_MAX_PIXELS = 16384L * 16384;

    private final String library;
    private final String version;

    private Avif(String library, String version) {
        this.library = library;
        this.version = version;
    }

    /**
     * Loads {@code library} (a file name for the dynamic linker, or a path). Empty, with the reason in
     * {@code whyNot} (one line), when it cannot be loaded, lacks the functions used here, is not version 0.11
     * (whose struct layouts this class knows) or has no AV1 encoder.
     */
    public static Optional<Avif> load(String library, StringBuilder whyNot) {
        try {
            NativeLoad.open(library, Api.class, "avifVersion", "avifCodecName", "avifResultToString",
                    "avifImageCreate", "avifImageAllocatePlanes", "avifImageDestroy", "avifRGBImageSetDefaults",
                    "avifImageRGBToYUV", "avifImageYUVToRGB", "avifEncoderCreate", "avifEncoderWrite",
                    "avifEncoderDestroy", "avifRWDataFree", "avifDecoderCreate", "avifDecoderSetIOMemory",
                    "avifDecoderParse", "avifDecoderNextImage", "avifDecoderDestroy");
            String version = Api.avifVersion();
            if (!version.startsWith("0.11.")) {
                whyNot.append(library).append(" is libavif ").append(version).append("; graypipe knows 0.11's layouts");
                return Optional.empty();
            }
            if (Api.avifCodecName(0, 2) == null) { // AVIF_CODEC_CHOICE_AUTO, AVIF_CODEC_FLAG_CAN_ENCODE
                whyNot.append(library).append(" was built without an AV1 encoder");
                return Optional.empty();
            }
            return Optional.of(new Avif(library, version));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            whyNot.append(NativeLoad.oneLine(e));
            return Optional.empty();
        }
    }

    public String library() {
        return library;
    }

    /** libavif's version, such as {@code 0.11.1}. */
    public String version() {
        return version;
    }

    /** The AV1 quantizer libavif's own {@code avifenc} uses for a quality: 100 gives 0 (lossless for gray). */
    static int quantizer(int quality) {
        return ((100 - quality) * MAX_QUANTIZER + 50) / 100;
    }

    /**
     * Encodes interleaved 8-bit pixels: {@code channels} 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA), rows top to
     * bottom without padding, at {@code quality} 1..100. Alpha is kept losslessly.
     */
    public byte[] encode(byte[] pixels, int width, int height, int channels, int quality) throws CodecException {
        Interleaved.check(pixels, width, height, channels);
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be in 1..100: " + quality);
        }
        boolean gray = channels <= 2;
        boolean alpha = channels == 2 || channels == 4;
        Pointer image = Api.avifImageCreate(width, height, 8, gray ? PIXEL_FORMAT_YUV400 : PIXEL_FORMAT_YUV444);
        if (image == null) {
            throw new CodecException("libavif could not create a " + width + "x" + height + " image");
        }
        try {
            image.setInt(IMAGE_YUV_RANGE, RANGE_FULL);
            if (gray) {
                check(Api.avifImageAllocatePlanes(image, PLANES_YUV | (alpha ? PLANES_A : 0)), "allocating planes");
                copyIn(pixels, channels, 0, image.getPointer(IMAGE_Y_PLANE), image.getInt(IMAGE_Y_ROW_BYTES), width, height);
                if (alpha) {
                    copyIn(pixels, channels, 1, image.getPointer(IMAGE_ALPHA_PLANE), image.getInt(IMAGE_ALPHA_ROW_BYTES),
                            width, height);
                }
            } else {
                image.setShort(IMAGE_MATRIX_COEFFICIENTS, (short) MATRIX_BT601);
                try (Memory rgb = new Memory(RGB_IMAGE_BYTES); Memory in = new Memory(pixels.length)) {
                    in.write(0, pixels, 0, pixels.length);
                    rgb.clear();
                    Api.avifRGBImageSetDefaults(rgb, image);
                    rgb.setInt(RGB_DEPTH, 8);
                    rgb.setInt(RGB_FORMAT, alpha ? RGB_FORMAT_RGBA : RGB_FORMAT_RGB);
                    rgb.setPointer(RGB_PIXELS, in);
                    rgb.setInt(RGB_ROW_BYTES, width * channels);
                    check(Api.avifImageRGBToYUV(image, rgb), "converting RGB to YUV");
                }
            }
            return write(image, quality);
        } finally {
            Api.avifImageDestroy(image);
        }
    }

    private static byte[] write(Pointer image, int quality) throws CodecException {
        Pointer encoder = Api.avifEncoderCreate();
        if (encoder == null) {
            throw new CodecException("libavif could not create an encoder");
        }
        try (Memory output = new Memory(RW_DATA_BYTES)) {
            output.clear();
            int q = quantizer(quality);
            encoder.setInt(ENCODER_MAX_THREADS, 1);
            encoder.setInt(ENCODER_SPEED, SPEED);
            encoder.setInt(ENCODER_MIN_QUANTIZER, q);      // minQuantizer
            encoder.setInt(ENCODER_MIN_QUANTIZER + 4, q);  // maxQuantizer
            encoder.setInt(ENCODER_MIN_QUANTIZER + 8, 0);  // minQuantizerAlpha: lossless alpha
            encoder.setInt(ENCODER_MIN_QUANTIZER + 12, 0); // maxQuantizerAlpha
            try {
                check(Api.avifEncoderWrite(encoder, image, output), "encoding");
                long size = output.getLong(8);
                if (size <= 0 || size > Integer.MAX_VALUE) {
                    throw new CodecException("libavif wrote " + size + " bytes");
                }
                return output.getPointer(0).getByteArray(0, (int) size);
            } finally {
                Api.avifRWDataFree(output);
            }
        } finally {
            Api.avifEncoderDestroy(encoder);
        }
    }

    /** Copies channel {@code channel} of every interleaved pixel into a plane with {@code rowBytes} per row. */
    private static void copyIn(byte[] pixels, int channels, int channel, Pointer plane, int rowBytes, int width,
                               int height) throws CodecException {
        if (plane == null || rowBytes < width) {
            throw new CodecException("libavif allocated no plane for a " + width + "x" + height + " image");
        }
        byte[] row = new byte[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0, s = (y * width) * channels + channel; x < width; x++, s += channels) {
                row[x] = pixels[s];
            }
            plane.write((long) y * rowBytes, row, 0, width);
        }
    }

    /** The first image of an AVIF file as 8-bit RGBA, without premultiplied alpha. */
    public record Rgba(int width, int height, boolean hasAlpha, int frames, byte[] pixels) {
    }

    /** What the header says before any pixel is decoded. */
    public record Header(int width, int height, int depth, boolean hasAlpha, int frames) {
    }

    /** Checks the header before decoding: throws to refuse the image (for being too large, say). */
    @FunctionalInterface
    public interface HeaderCheck<E extends Exception> {
        void accept(Header header) throws E;
    }

    /**
     * Decodes the first image of {@code data[0..length)}. libavif parses the container first, and {@code check}
     * sees its header before any pixel is decoded. Then {@code maxPixels} becomes the decoder's own limit
     * ({@code imageSizeLimit}, which libavif hands to the AV1 decoder as its frame size limit when it creates it), so
     * a bitstream whose frame is larger than the container's header says is refused before the AV1 decoder
     * allocates it; libavif's default (16384 × 16384 pixels) stays the ceiling.
     */
    public <E extends Exception> Rgba decode(byte[] data, int length, long maxPixels, HeaderCheck<E> check)
            throws CodecException, E {
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("length " + length + " outside the " + data.length + "-byte array");
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel limit must be positive: " + maxPixels);
        }
        Pointer decoder = Api.avifDecoderCreate();
        if (decoder == null) {
            throw new CodecException("libavif could not create a decoder");
        }
        try (Memory in = new Memory(Math.max(1, length))) {
            in.write(0, data, 0, length);
            decoder.setInt(DECODER_MAX_THREADS, 1);
            check(Api.avifDecoderSetIOMemory(decoder, in, length), "reading");
            check(Api.avifDecoderParse(decoder), "reading the header");
            Pointer image = decoder.getPointer(DECODER_IMAGE);
            if (image == null) {
                throw new CodecException("libavif parsed the header but made no image");
            }
            Header header = new Header(image.getInt(IMAGE_WIDTH), image.getInt(IMAGE_HEIGHT), image.getInt(IMAGE_DEPTH),
                    decoder.getInt(DECODER_ALPHA_PRESENT) != 0, decoder.getInt(DECODER_IMAGE_COUNT));
            if (header.width() < 1 || header.height() < 1) {
                throw new CodecException("the AVIF header gives a size of " + header.width() + "x" + header.height());
            }
            check.accept(header);
            // Set after parsing, so that a header past the limits is the caller's to refuse, in its own words.
            decoder.setInt(DECODER_IMAGE_SIZE_LIMIT, (int) Math.min(maxPixels, LIBRARY_MAX_PIXELS));
            check(Api.avifDecoderNextImage(decoder), "decoding");
            image = decoder.getPointer(DECODER_IMAGE);
            int width = image.getInt(IMAGE_WIDTH);
            int height = image.getInt(IMAGE_HEIGHT);
            if (width != header.width() || height != header.height()) {
                throw new CodecException("the AVIF's image is " + width + "x" + height + ", its header says "
                        + header.width() + "x" + header.height());
            }
            long bytes = (long) width * height * 4;
            if (bytes > Integer.MAX_VALUE) {
                throw new CodecException(width + "x" + height + " is too large");
            }
            try (Memory rgb = new Memory(RGB_IMAGE_BYTES); Memory out = new Memory(bytes)) {
                rgb.clear();
                Api.avifRGBImageSetDefaults(rgb, image);
                rgb.setInt(RGB_DEPTH, 8);
                rgb.setInt(RGB_FORMAT, RGB_FORMAT_RGBA);
                rgb.setPointer(RGB_PIXELS, out);
                rgb.setInt(RGB_ROW_BYTES, width * 4);
                check(Api.avifImageYUVToRGB(image, rgb), "converting to RGB");
                return new Rgba(width, height, header.hasAlpha(), header.frames(),
                        out.getByteArray(0, (int) bytes));
            }
        } finally {
            Api.avifDecoderDestroy(decoder);
        }
    }

    private static void check(int result, String what) throws CodecException {
        if (result != 0) {
            throw new CodecException("libavif failed " + what + ": " + Api.avifResultToString(result));
        }
    }

    /** The C functions, bound once per JVM by direct mapping. */
    static final class Api {
        private Api() {
        }

        static native String avifVersion();

        static native String avifCodecName(int choice, int requiredFlags);

        static native String avifResultToString(int result);

        static native Pointer avifImageCreate(int width, int height, int depth, int yuvFormat);

        static native int avifImageAllocatePlanes(Pointer image, int planes);

        static native void avifImageDestroy(Pointer image);

        static native void avifRGBImageSetDefaults(Pointer rgb, Pointer image);

        static native int avifImageRGBToYUV(Pointer image, Pointer rgb);

        static native int avifImageYUVToRGB(Pointer image, Pointer rgb);

        static native Pointer avifEncoderCreate();

        static native int avifEncoderWrite(Pointer encoder, Pointer image, Pointer output);

        static native void avifEncoderDestroy(Pointer encoder);

        static native void avifRWDataFree(Pointer data);

        static native Pointer avifDecoderCreate();

        static native int avifDecoderSetIOMemory(Pointer decoder, Pointer data, long size);

        static native int avifDecoderParse(Pointer decoder);

        static native int avifDecoderNextImage(Pointer decoder);

        static native void avifDecoderDestroy(Pointer decoder);
    }
}
