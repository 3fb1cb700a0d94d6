package io.graypipe.protocol.turbojpeg;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.graypipe.protocol.ScaleRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * libjpeg-turbo's TurboJPEG API ({@code libturbojpeg.so.0}, Debian's {@code libturbojpeg0}) through JNA direct
 * mapping: gray decoding at a DCT scale (1/2, 1/4, 1/8), and gray encoding. Thread-safe: each call makes and
 * destroys its own {@code tjhandle} (a few microseconds), and the native buffers the pixels pass through are
 * kept per thread, so each image crosses the JNI boundary once in and once out.
 */
public final class TurboJpeg {
    /** The library a front loads unless told otherwise. */
    public static final String DEFAULT_LIBRARY = "libturbojpeg.so.0";

    private static final int TJPF_GRAY = 6;
    private static final int TJSAMP_GRAY = 3;
    /** TJFLAG_ACCURATEDCT: the slow integer IDCT/FDCT, which ImageIO's libjpeg also uses. */
    private static final int TJFLAG_ACCURATEDCT = 4096;
    /** A native buffer over this size is replaced by a smaller one as soon as a thread decodes a smaller image. */
    private static final long KEEP_BUFFER_BYTES = 16L << 20;

    /** JPEG's own limit per side (16-bit fields in SOF). */
    private static final int MAX_SIDE = 65_535;
    /** The most pixels (or bytes) one call handles: the largest Java array. */
    public static final long MAX_PIXELS = Integer.MAX_VALUE - 8;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private final String library;
    private final List<Integer> denominators;

    private TurboJpeg(String library, List<Integer> denominators) {
        this.library = library;
        this.denominators = denominators;
    }

    /**
     * Loads {@code library} (a file name for the dynamic linker, or a path). Empty, with the reason in
     * {@code whyNot} (one line), when it cannot be loaded or lacks the functions used here.
     */
    public static Optional<TurboJpeg> load(String library, StringBuilder whyNot) {
        try {
            NativeLibrary lib = NativeLibrary.getInstance(library);
            for (String function : Api.FUNCTIONS) {
                lib.getFunction(function); // fails here, not on the first image, when the library is too old
            }
            Api.bind(lib);
            return Optional.of(new TurboJpeg(library, Api.dctDenominators()));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // JNA's message spans lines and repeats itself; one log line says it all.
            whyNot.append(String.join("; ", String.valueOf(e.getMessage()).lines().map(String::strip)
                    .filter(line -> !line.isEmpty()).distinct().toList()));
            return Optional.empty();
        }
    }

    public String library() {
        return library;
    }

    /** The DCT scales 1/d this library offers for d in 2, 4, 8, largest reduction last. */
    public List<Integer> dctDenominators() {
        return denominators;
    }

    /**
     * The largest d of {@link #dctDenominators()} with ceil(width/d) ≥ targetWidth and ceil(height/d) ≥
     * targetHeight, or 1 when none is.
     */
    public int shrinkFor(int width, int height, int targetWidth, int targetHeight) {
        int best = 1;
        for (int d : denominators) {
            if (scaled(width, d) >= targetWidth && scaled(height, d) >= targetHeight) {
                best = Math.max(best, d);
            }
        }
        return best;
    }

    /** TJSCALED: the size libjpeg-turbo produces for {@code n} pixels at scale 1/d. */
    public static int scaled(int n, int d) {
        return (n + d - 1) / d;
    }

    /**
     * A decoded gray raster: {@code width × height} pixels, row-major, decoded at scale 1/{@code denominator}
     * from a JPEG stored at {@code fullWidth × fullHeight} (before EXIF orientation).
     */
    public record Gray(int fullWidth, int fullHeight, int denominator, int width, int height, byte[] pixels) {
    }

    /**
     * Decodes {@code jpeg[0..length)} to 8-bit gray (the Y channel of YCbCr) at the smallest DCT scale that still
     * covers {@link ScaleRequest#targetSize} in both dimensions ({@link #shrinkFor}); {@code scale} 1 decodes
     * at full size.
     *
     * @throws TurboJpegException on corrupt data, and on warnings such as a truncated file
     */
    public Gray decodeGray(byte[] jpeg, int length, double scale) throws TurboJpegException {
        return decodeGray(jpeg, length, scale, MAX_PIXELS);
    }

    /**
     * As {@link #decodeGray(byte[], int, double)}, refusing (before any pixel buffer is allocated) a JPEG whose
     * header, as libjpeg-turbo itself reads it, has more than {@code maxPixels} pixels: a caller's own header
     * check cannot be bypassed by a file that two parsers read differently.
     *
     * <p>Every length and stride is checked here before it reaches native code (docs/security.md, "Native code on
     * untrusted input"): {@code length} within the array, a positive {@code scale}, the library's width and height
     * positive and within {@code maxPixels}, the scaled size's product computed in {@code long} and within a Java
     * array, and the output buffer's size equal to pitch × height (pitch = width, one byte per gray pixel).
     *
     * @throws IllegalArgumentException when {@code length}, {@code scale} or {@code maxPixels} is out of range
     */
    public Gray decodeGray(byte[] jpeg, int length, double scale, long maxPixels) throws TurboJpegException {
        if (jpeg == null || length < 0 || length > jpeg.length) {
            throw new IllegalArgumentException("length " + length + " is outside the "
                    + (jpeg == null ? "missing" : jpeg.length + "-byte") + " array");
        }
        if (!(scale > 0) || maxPixels < 1 || maxPixels > MAX_PIXELS) {
            throw new IllegalArgumentException("scale must be positive and maxPixels 1.." + MAX_PIXELS);
        }
        if (length == 0) {
            throw new TurboJpegException("the JPEG is empty", false);
        }
        Pointer handle = Api.tjInitDecompress();
        if (handle == null) {
            throw new TurboJpegException(Api.tjGetErrorStr2(null), false);
        }
        try {
            Buffers buffers = BUFFERS.get();
            Memory in = buffers.input(jpeg, length);
            NativeLong size = new NativeLong(length);
            int[] fullWidth = new int[1];
            int[] fullHeight = new int[1];
            int[] subsampling = new int[1];
            int[] colorspace = new int[1];
            if (Api.tjDecompressHeader3(handle, in, size, fullWidth, fullHeight, subsampling, colorspace) != 0) {
                throw error(handle);
            }
            int w = fullWidth[0];
            int h = fullHeight[0];
            if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > maxPixels) {
                throw new TurboJpegException("the JPEG header claims " + w + " x " + h + " pixels, more than the "
                        + maxPixels + " allowed or not a size", false);
            }
            int d = scale >= 1 ? 1 : shrinkFor(w, h, ScaleRequest.targetSize(w, scale), ScaleRequest.targetSize(h, scale));
            int width = scaled(w, d);
            int height = scaled(h, d);
            long pixels = (long) width * height;
            if (width <= 0 || height <= 0 || pixels > MAX_PIXELS) {
                throw new IllegalStateException("scaled size " + width + " x " + height + " out of range");
            }
            // TJPF_GRAY is one byte per pixel, and pitch = width: the library writes exactly pitch × height bytes.
            Memory out = buffers.output(pixels);
            if (out.size() < pixels) {
                throw new IllegalStateException("output buffer of " + out.size() + " bytes for " + pixels + " pixels");
            }
            if (Api.tjDecompress2(handle, in, size, out, width, width, height, TJPF_GRAY, TJFLAG_ACCURATEDCT) != 0) {
                throw error(handle);
            }
            return new Gray(w, h, d, width, height, out.getByteArray(0, (int) pixels));
        } finally {
            Api.tjDestroy(handle);
        }
    }

    /** Encodes {@code width × height} gray pixels as a gray JPEG (4:0:0) at {@code quality} 1..100. */
    public byte[] encodeGray(byte[] gray, int width, int height, int quality) throws TurboJpegException {
        if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE || gray == null
                || (long) width * height > gray.length || quality < 1 || quality > 100) {
            throw new IllegalArgumentException("cannot encode " + width + " x " + height + " gray pixels from "
                    + (gray == null ? "no" : gray.length) + " bytes at quality " + quality);
        }
        Pointer handle = Api.tjInitCompress();
        if (handle == null) {
            throw new TurboJpegException(Api.tjGetErrorStr2(null), false);
        }
        long[] jpeg = new long[1];
        long[] size = new long[1];
        try {
            Memory in = BUFFERS.get().input(gray, width * height);
            if (Api.tjCompress2(handle, in, width, width, height, TJPF_GRAY, jpeg, size, TJSAMP_GRAY, quality,
                    TJFLAG_ACCURATEDCT) != 0) {
                throw error(handle);
            }
            if (jpeg[0] == 0 || size[0] <= 0 || size[0] > MAX_PIXELS) {
                throw new TurboJpegException("the library returned no JPEG (" + size[0] + " bytes)", false);
            }
            return new Pointer(jpeg[0]).getByteArray(0, (int) size[0]);
        } finally {
            if (jpeg[0] != 0) {
                Api.tjFree(new Pointer(jpeg[0]));
            }
            Api.tjDestroy(handle);
        }
    }

    private static TurboJpegException error(Pointer handle) {
        return new TurboJpegException(Api.tjGetErrorStr2(handle), Api.tjGetErrorCode(handle) == 0);
    }

    /** A TurboJPEG call failed; {@code warning} when libjpeg only warned (e.g. data ended early). */
    public static final class TurboJpegException extends Exception {
        private final boolean warning;

        TurboJpegException(String message, boolean warning) {
            super(message);
            this.warning = warning;
        }

        public boolean warning() {
            return warning;
        }
    }

    /**
     * The per-thread native buffers, grown as needed and reused, so a gray thread does not map and fault in fresh
     * memory for every image (page faults are expensive under gVisor); freed with their thread by JNA's cleaner.
     */
    private static final class Buffers {
        private Memory input;
        private Memory output;

        Memory input(byte[] bytes, int length) {
            input = fit(input, length);
            input.write(0, bytes, 0, length);
            return input;
        }

        Memory output(long length) {
            output = fit(output, length);
            return output;
        }

        private static Memory fit(Memory current, long length) {
            long size = Math.max(1, length);
            if (current != null && current.size() >= size && (current.size() <= KEEP_BUFFER_BYTES || current.size() < 2 * size)) {
                return current;
            }
            if (current != null) {
                current.close();
            }
            return new Memory(size);
        }
    }

    /** The C functions, bound once per JVM by direct mapping. */
    private static final class Api {
        static final String[] FUNCTIONS = {"tjInitDecompress", "tjDecompressHeader3", "tjGetScalingFactors",
                "tjDecompress2", "tjInitCompress", "tjCompress2", "tjFree", "tjDestroy", "tjGetErrorStr2",
                "tjGetErrorCode"};
        private static boolean bound;

        static synchronized void bind(NativeLibrary lib) {
            if (!bound) {
                Native.register(Api.class, lib);
                bound = true;
            }
        }

        static List<Integer> dctDenominators() {
            int[] count = new int[1];
            Pointer factors = tjGetScalingFactors(count);
            List<Integer> denominators = new ArrayList<>();
            if (factors == null) {
                return denominators;
            }
            if (count[0] <= 0 || count[0] > 64) {
                return denominators; // libjpeg-turbo has 16; anything else is not a list to read
            }
            int[] pairs = factors.getIntArray(0, 2 * count[0]); // struct tjscalingfactor { int num, denom; }
            for (int d : new int[]{2, 4, 8}) {
                for (int i = 0; i < count[0]; i++) {
                    if (pairs[2 * i] == 1 && pairs[2 * i + 1] == d) {
                        denominators.add(d);
                        break;
                    }
                }
            }
            return List.copyOf(denominators);
        }

        static native Pointer tjInitDecompress();

        static native int tjDecompressHeader3(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, int[] width,
                                              int[] height, int[] jpegSubsamp, int[] jpegColorspace);

        static native Pointer tjGetScalingFactors(int[] numScalingFactors);

        static native int tjDecompress2(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, Pointer dstBuf,
                                        int width, int pitch, int height, int pixelFormat, int flags);

        static native Pointer tjInitCompress();

        /** jpegBuf and jpegSize are out-parameters: an unsigned char* and an unsigned long (LP64: 8 bytes). */
        static native int tjCompress2(Pointer handle, Pointer srcBuf, int width, int pitch, int height,
                                      int pixelFormat, long[] jpegBuf, long[] jpegSize, int jpegSubsamp,
                                      int jpegQual, int flags);

        static native void tjFree(Pointer buffer);

        static native int tjDestroy(Pointer handle);

        static native String tjGetErrorStr2(Pointer handle);

        static native int tjGetErrorCode(Pointer handle);
    }
}
