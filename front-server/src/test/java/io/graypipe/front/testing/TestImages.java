package io.graypipe.front.testing;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Deterministic image fixtures, built in code: pictures, encoders with explicit settings, files that lie about
 * their size or are broken, JPEG segments (EXIF, ICC, Adobe) to splice in, and reading results back.
 */
public final class TestImages {
    private TestImages() {
    }

    /** An image of one flat colour. */
    public static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** A smooth, photo-like RGB image: gradients plus a little deterministic texture. */
    public static BufferedImage photo(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        long seed = 12345;
        int i = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                int noise = (int) ((seed >>> 59) & 15) - 8;
                int r = clamp(x * 255 / Math.max(1, w - 1) + noise);
                int g = clamp(y * 255 / Math.max(1, h - 1) + noise);
                int b = clamp(128 + (int) (100 * Math.sin((x + y) / 40.0)) + noise);
                data[i++] = (byte) b;
                data[i++] = (byte) g;
                data[i++] = (byte) r;
            }
        }
        return image;
    }

    /** A noisy, textured RGB image (so JPEG and PNG sizes are realistic), the same for the same seed. */
    public static BufferedImage noisyPhoto(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int base = (int) (128 + 70 * Math.sin(x / 17.0) * Math.cos(y / 11.0));
                int r = clamp(base + random.nextInt(50) - 25);
                int g = clamp(255 - base + random.nextInt(50) - 25);
                int b = clamp(x * 255 / width + random.nextInt(30) - 15);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** Colour stripes and a white block, so encoders cannot reduce it to nothing; compresses well. */
    private static BufferedImage picture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int x = 0; x < width; x += 8) {
            g.setColor(new Color((x * 7) % 256, (x * 3) % 256, 255 - (x % 256)));
            g.fillRect(x, 0, 8, height);
        }
        g.setColor(Color.WHITE);
        g.fillRect(width / 4, height / 4, Math.max(1, width / 2), Math.max(1, height / 2));
        g.dispose();
        return image;
    }

    /** {@link #picture} as a PNG file. */
    public static byte[] png(int width, int height) {
        return write(picture(width, height), "png");
    }

    /** {@link #picture} as a JPEG file, at ImageIO's default quality. */
    public static byte[] jpeg(int width, int height) {
        return write(picture(width, height), "jpeg");
    }

    /** Random pixels: a PNG that barely compresses, so a small image still makes a large file. */
    public static byte[] noisePng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return write(image, "png");
    }

    /** The first half of {@code file}: a broken image. */
    public static byte[] truncated(byte[] file) {
        return Arrays.copyOf(file, file.length / 2);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    public static byte[] write(RenderedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format + " / " + image);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes with the JDK's JPEG writer at {@code quality} (0..1), baseline or progressive. */
    public static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
        return jdkJpeg(new IIOImage(image, null, null), quality, progressive);
    }

    /** Writes a 4-band raster as a JPEG; the JDK writer stores it as Adobe CMYK/YCCK depending on metadata. */
    public static byte[] jpegRaster(Raster raster, float quality) {
        return jdkJpeg(new IIOImage(raster, null, null), quality, false);
    }

    private static byte[] jdkJpeg(IIOImage image, float quality, boolean progressive) {
        try {
            ImageWriter writer = jdkJpegWriter();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, image, param);
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.")) {
                return writer;
            }
        }
        throw new IllegalStateException("no JDK JPEG writer");
    }

    /** Inserts a marker segment right after SOI (and after a JFIF APP0 if there is one). */
    public static byte[] insertSegment(byte[] jpeg, int marker, byte[] payload) {
        int pos = 2;
        if ((jpeg[2] & 0xff) == 0xFF && (jpeg[3] & 0xff) == 0xE0) {
            pos = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
        }
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + payload.length);
        out.put(jpeg, 0, pos);
        out.put((byte) 0xFF).put((byte) marker).putShort((short) (payload.length + 2)).put(payload);
        out.put(jpeg, pos, jpeg.length - pos);
        return out.array();
    }

    /** A big-endian EXIF APP1 payload with only an orientation tag. */
    public static byte[] exifOrientation(int orientation, boolean littleEndian) {
        ByteBuffer b = ByteBuffer.allocate(6 + 8 + 2 + 12 + 4);
        b.put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        b.order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        b.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    /** APP2 ICC_PROFILE payload (single chunk). */
    public static byte[] iccSegment(byte[] profile) {
        ByteBuffer b = ByteBuffer.allocate(14 + profile.length);
        b.put("ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 1).put(profile);
        return b.array();
    }

    /** Replaces the frame size in the first SOF segment. */
    public static byte[] patchJpegSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        int pos = 2;
        while (pos < out.length) {
            int marker = out[pos + 1] & 0xff;
            int length = ((out[pos + 2] & 0xff) << 8) | (out[pos + 3] & 0xff);
            if (marker >= 0xC0 && marker <= 0xC2) {
                out[pos + 5] = (byte) (height >> 8);
                out[pos + 6] = (byte) height;
                out[pos + 7] = (byte) (width >> 8);
                out[pos + 8] = (byte) width;
                return out;
            }
            pos += 2 + length;
        }
        throw new IllegalArgumentException("no SOF");
    }

    /** A small real JPEG whose frame header claims {@code width × height}. */
    public static byte[] jpegClaiming(int width, int height) {
        return patchJpegSize(jpeg(16, 16), width, height);
    }

    public static BufferedImage grayAlpha(int w, int h, int bits) {
        ColorSpace cs = ColorSpace.getInstance(ColorSpace.CS_GRAY);
        int type = bits == 16 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
        ComponentColorModel cm = new ComponentColorModel(cs, new int[]{bits, bits}, true, false,
                Transparency.TRANSLUCENT, type);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        return new BufferedImage(cm, raster, false, null);
    }

    public static BufferedImage rgb16(int w, int h, boolean alpha) {
        ColorSpace cs = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        int[] bits = alpha ? new int[]{16, 16, 16, 16} : new int[]{16, 16, 16};
        ComponentColorModel cm = new ComponentColorModel(cs, bits, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }

    public static BufferedImage indexed(int w, int h, int[] argbPalette, int transparentIndex) {
        int n = argbPalette.length;
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) (argbPalette[i] >> 16);
            g[i] = (byte) (argbPalette[i] >> 8);
            b[i] = (byte) argbPalette[i];
        }
        IndexColorModel cm = transparentIndex >= 0 ? new IndexColorModel(8, n, r, g, b, transparentIndex)
                : new IndexColorModel(8, n, r, g, b);
        return new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    }

    /** A PNG whose IHDR claims {@code w×h} 8-bit gray, with about {@code idatBytes} of zero-filled IDAT. */
    public static byte[] pngBomb(int w, int h, int idatBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater(9);
        byte[] zeros = new byte[1 << 20];
        deflater.setInput(zeros);
        byte[] buf = new byte[idatBytes];
        int len = 0;
        while (len < idatBytes && !deflater.needsInput()) {
            len += deflater.deflate(buf, len, idatBytes - len, Deflater.SYNC_FLUSH);
        }
        chunk(out, "IDAT", Arrays.copyOf(buf, len));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A PNG of about a kilobyte whose header claims {@code width × height} gray pixels. */
    public static byte[] pngClaiming(int width, int height) {
        return pngBomb(width, height, 1024);
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(pngChunk(type, data));
    }

    /** One PNG chunk: length, type, data and CRC. */
    public static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        b.putInt(data.length).put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** BT.601 luma of an sRGB colour, rounded half up in exact integer arithmetic: what graypipe must produce. */
    public static int luma(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }

    /** Decodes a JPEG to RGB with the JDK reader (the slow reference path). */
    public static BufferedImage readRgb(byte[] jpeg) {
        try {
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            while (readers.hasNext()) {
                javax.imageio.ImageReader reader = readers.next();
                if (reader.getClass().getName().startsWith("com.sun.")) {
                    reader.setInput(new com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream(jpeg));
                    BufferedImage image = reader.read(0);
                    reader.dispose();
                    return image;
                }
            }
            throw new IllegalStateException("no JDK JPEG reader");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a result with whatever ImageIO reader claims it; fails the test if none does. */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new AssertionError("response is not an image: " + bytes.length + " bytes");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gray value of a pixel of a decoded gray image. */
    public static int grayAt(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }

    /**
     * A minimal ICC v2 CMYK output profile: a lut8 A2B0 with a 2-point grid mapping ink to neutral Lab,
     * lightness falling with each ink. Enough for a colour-managed CMYK to sRGB conversion.
     */
    public static byte[] simpleCmykProfile() {
        ByteArrayOutputStream tags = new ByteArrayOutputStream();
        // desc
        byte[] descText = "graypipe test CMYK\0".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer desc = ByteBuffer.allocate(12 + descText.length + 12 + 67);
        desc.put("desc".getBytes(StandardCharsets.ISO_8859_1)).putInt(0).putInt(descText.length).put(descText);
        desc.putInt(0).putInt(0).putShort((short) 0).put((byte) 0);
        byte[] descTag = desc.array();
        // wtpt (D50)
        ByteBuffer wtpt = ByteBuffer.allocate(20);
        wtpt.put("XYZ ".getBytes(StandardCharsets.ISO_8859_1)).putInt(0)
                .putInt(s15(0.9642)).putInt(s15(1.0)).putInt(s15(0.8249));
        byte[] wtptTag = wtpt.array();
        // A2B0 mft1: 4 in, 3 out, grid 2
        int grid = 2;
        int clutEntries = 16;
        ByteBuffer lut = ByteBuffer.allocate(48 + 256 * 4 + clutEntries * 3 + 256 * 3);
        lut.put("mft1".getBytes(StandardCharsets.ISO_8859_1)).putInt(0);
        lut.put((byte) 4).put((byte) 3).put((byte) grid).put((byte) 0);
        int[] identity = {s15(1), 0, 0, 0, s15(1), 0, 0, 0, s15(1)};
        for (int v : identity) {
            lut.putInt(v);
        }
        for (int ch = 0; ch < 4; ch++) {
            for (int i = 0; i < 256; i++) {
                lut.put((byte) i);
            }
        }
        for (int c = 0; c < 2; c++) {
            for (int m = 0; m < 2; m++) {
                for (int y = 0; y < 2; y++) {
                    for (int k = 0; k < 2; k++) {
                        double l = 100 * (1 - 0.45 * c) * (1 - 0.4 * m) * (1 - 0.1 * y) * (1 - 0.92 * k);
                        lut.put((byte) Math.round(l * 255 / 100)).put((byte) 128).put((byte) 128);
                    }
                }
            }
        }
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 256; i++) {
                lut.put((byte) i);
            }
        }
        byte[] a2b0 = lut.array();
        byte[][] tagData = {descTag, wtptTag, a2b0};
        String[] sigs = {"desc", "wtpt", "A2B0"};
        int tableSize = 4 + 12 * sigs.length;
        int offset = 128 + tableSize;
        ByteBuffer table = ByteBuffer.allocate(tableSize);
        table.putInt(sigs.length);
        for (int i = 0; i < sigs.length; i++) {
            offset = (offset + 3) & ~3;
            table.put(sigs[i].getBytes(StandardCharsets.ISO_8859_1)).putInt(offset).putInt(tagData[i].length);
            offset += tagData[i].length;
        }
        int total = (offset + 3) & ~3;
        ByteBuffer p = ByteBuffer.allocate(total);
        p.putInt(total).putInt(0).putInt(0x02100000);
        p.put("prtr".getBytes(StandardCharsets.ISO_8859_1)).put("CMYK".getBytes(StandardCharsets.ISO_8859_1))
                .put("Lab ".getBytes(StandardCharsets.ISO_8859_1));
        p.position(36);
        p.put("acsp".getBytes(StandardCharsets.ISO_8859_1));
        p.position(64);
        p.putInt(0); // rendering intent: perceptual
        p.putInt(s15(0.9642)).putInt(s15(1.0)).putInt(s15(0.8249));
        p.position(128);
        p.put(table.array());
        int pos = 128 + tableSize;
        for (byte[] t : tagData) {
            pos = (pos + 3) & ~3;
            p.position(pos);
            p.put(t);
            pos += t.length;
        }
        return p.array();
    }

    private static int s15(double v) {
        return (int) Math.round(v * 65536);
    }
}
