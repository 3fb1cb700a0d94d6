package io.graypipe.front.image;

import io.graypipe.front.testing.TestImages;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;

/**
 * Fixture builders for PNG chunks (iCCP, gAMA, sRGB, eXIf), ICC profiles, animated and hand-laid GIFs, and BMP
 * header variants, built in code.
 * Self-contained so that it does not depend on where the shared fixtures live.
 */
final class ContainerFixtures {
    private static final int IHDR_END = 8 + 12 + 13;

    private ContainerFixtures() {
    }

    static byte[] write(RenderedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A BMP with an explicit compression type, such as "BI_RLE8". */
    static byte[] bmp(BufferedImage image, String compression) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("bmp").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType(compression);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inserts chunks right after IHDR, where colour chunks and eXIf belong (before PLTE and IDAT). */
    static byte[] insertAfterIhdr(byte[] png, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, IHDR_END);
        for (byte[] chunk : chunks) {
            out.writeBytes(chunk);
        }
        out.write(png, IHDR_END, png.length - IHDR_END);
        return out.toByteArray();
    }

    /** Whether a PNG holds a chunk of this type (to prove a fixture is what it claims). */
    static boolean hasChunk(byte[] png, String type) {
        ByteBuffer b = ByteBuffer.wrap(png);
        int pos = 8;
        while (pos + 8 <= png.length) {
            int length = b.getInt(pos);
            if (new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1).equals(type)) {
                return true;
            }
            pos += 12 + length;
        }
        return false;
    }

    static byte[] chunk(String type, byte[] data) {
        return TestImages.pngChunk(type, data);
    }

    /** iCCP: keyword, NUL, compression method 0, zlib stream of the profile. */
    static byte[] iccp(byte[] profile) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes("test profile".getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        data.write(0);
        try (DeflaterOutputStream z = new DeflaterOutputStream(data)) {
            z.write(profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return chunk("iCCP", data.toByteArray());
    }

    /** gAMA: the encoding gamma times 100000 (45455 is the usual 1/2.2, 100000 is linear). */
    static byte[] gama(int gammaTimes100000) {
        return chunk("gAMA", ByteBuffer.allocate(4).putInt(gammaTimes100000).array());
    }

    static byte[] srgb() {
        return chunk("sRGB", new byte[]{0});
    }

    /** eXIf holding a TIFF block with one orientation tag; {@code exifPrefix} adds the JPEG-style "Exif\0\0". */
    static byte[] exif(int orientation, boolean littleEndian, boolean exifPrefix) {
        ByteBuffer b = ByteBuffer.allocate((exifPrefix ? 6 : 0) + 8 + 2 + 12 + 4);
        if (exifPrefix) {
            b.put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        }
        b.order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        byte mark = littleEndian ? (byte) 'I' : (byte) 'M';
        b.put(mark).put(mark).putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return chunk("eXIf", b.array());
    }

    /**
     * A matrix/TRC RGB ICC v2 display profile: D50-adapted colorants (XYZ of each primary) and one gamma for
     * all three channels.
     */
    static byte[] rgbProfile(double[][] colorants, double gamma) {
        byte[] curve = ByteBuffer.allocate(14).put(ascii("curv")).putInt(0).putInt(1)
                .putShort((short) Math.round(gamma * 256)).array();
        return profile("mntr", "RGB ", "XYZ ", new String[]{"desc", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"},
                new byte[][]{desc(), xyz(0.9642, 1.0, 0.8249), xyz(colorants[0]), xyz(colorants[1]), xyz(colorants[2]),
                        curve, curve, curve});
    }

    /**
     * CMYK lightness of {@link #cmykProfile()} for ink fractions 0..1: neutral, each ink darkening by its own
     * factor. Each factor is linear in its ink, so the profile's 2-point grid holds it without interpolation
     * error along every single-ink edge.
     */
    static double cmykLightness(double c, double m, double y, double k) {
        return 100 * (1 - 0.45 * c) * (1 - 0.4 * m) * (1 - 0.1 * y) * (1 - 0.92 * k);
    }

    /**
     * An ICC v2 CMYK output profile with lut8 tables both ways (A2B0 ink to Lab by {@link #cmykLightness}, B2A0
     * Lab to black ink), the minimum a colour engine needs to link it with sRGB in either direction.
     */
    static byte[] cmykProfile() {
        ByteBuffer a2b = lut8Header(4, 3, 2);
        for (int c = 0; c < 2; c++) {
            for (int m = 0; m < 2; m++) {
                for (int y = 0; y < 2; y++) {
                    for (int k = 0; k < 2; k++) {
                        a2b.put((byte) Math.round(cmykLightness(c, m, y, k) * 255 / 100)).put((byte) 128).put((byte) 128);
                    }
                }
            }
        }
        ByteBuffer b2a = lut8Header(3, 4, 2);
        for (int l = 0; l < 2; l++) {
            for (int ab = 0; ab < 4; ab++) {
                b2a.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) (255 * (1 - l)));
            }
        }
        return profile("prtr", "CMYK", "Lab ", new String[]{"desc", "wtpt", "A2B0", "B2A0"},
                new byte[][]{desc(), xyz(0.9642, 1.0, 0.8249), lut8Tables(a2b, 3), lut8Tables(b2a, 4)});
    }

    /** An 'mft1' tag up to its grid: identity matrix and identity input tables; the caller writes the grid. */
    private static ByteBuffer lut8Header(int in, int out, int grid) {
        int gridPoints = (int) Math.pow(grid, in);
        ByteBuffer b = ByteBuffer.allocate(48 + 256 * in + gridPoints * out + 256 * out);
        b.put(ascii("mft1")).putInt(0).put((byte) in).put((byte) out).put((byte) grid).put((byte) 0);
        for (int i = 0; i < 9; i++) {
            b.putInt(i % 4 == 0 ? 65536 : 0);
        }
        for (int ch = 0; ch < in; ch++) {
            for (int i = 0; i < 256; i++) {
                b.put((byte) i);
            }
        }
        return b;
    }

    /** Appends identity output tables and returns the whole tag. */
    private static byte[] lut8Tables(ByteBuffer lut, int out) {
        for (int ch = 0; ch < out; ch++) {
            for (int i = 0; i < 256; i++) {
                lut.put((byte) i);
            }
        }
        return lut.array();
    }

    private static byte[] profile(String deviceClass, String colourSpace, String pcs, String[] sigs, byte[][] data) {
        int tableSize = 4 + 12 * sigs.length;
        int offset = 128 + tableSize;
        int[] offsets = new int[sigs.length];
        for (int i = 0; i < sigs.length; i++) {
            offsets[i] = offset;
            offset = (offset + data[i].length + 3) & ~3;
        }
        ByteBuffer p = ByteBuffer.allocate(offset);
        p.putInt(offset).putInt(0).putInt(0x02100000);
        p.put(ascii(deviceClass)).put(ascii(colourSpace)).put(ascii(pcs));
        p.position(36).put(ascii("acsp"));
        p.position(68).put(xyz(0.9642, 1.0, 0.8249), 8, 12);
        p.position(128).putInt(sigs.length);
        for (int i = 0; i < sigs.length; i++) {
            p.put(ascii(sigs[i])).putInt(offsets[i]).putInt(data[i].length);
        }
        for (int i = 0; i < sigs.length; i++) {
            p.position(offsets[i]).put(data[i]);
        }
        return p.array();
    }

    private static byte[] desc() {
        byte[] text = "graypipe test profile\0".getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(12 + text.length + 12 + 67).put(ascii("desc")).putInt(0).putInt(text.length)
                .put(text).array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] xyz(double[] v) {
        return xyz(v[0], v[1], v[2]);
    }

    private static byte[] xyz(double x, double y, double z) {
        return ByteBuffer.allocate(20).put(ascii("XYZ ")).putInt(0)
                .putInt(s15(x)).putInt(s15(y)).putInt(s15(z)).array();
    }

    private static int s15(double v) {
        return (int) Math.round(v * 65536);
    }

    /** Writes a raster's samples as they are (no colour conversion) with the JDK writer: 4 bands give CMYK. */
    static byte[] jpegRaster(Raster raster) {
        ImageWriter writer = null;
        for (var writers = ImageIO.getImageWritersByFormatName("jpeg"); writers.hasNext(); ) {
            ImageWriter candidate = writers.next();
            if (candidate.getClass().getName().startsWith("com.sun.")) {
                writer = candidate;
            }
        }
        if (writer == null) {
            throw new IllegalStateException("no JDK JPEG writer");
        }
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(raster, null, null), param);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** Inserts a marker segment right after SOI. */
    static byte[] jpegSegment(byte[] jpeg, int marker, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + payload.length);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF).put((byte) marker).putShort((short) (payload.length + 2)).put(payload);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /** An Adobe APP14 payload: transform 0 is CMYK, 2 is YCCK. */
    static byte[] adobe(int transform) {
        return ByteBuffer.allocate(12).put(ascii("Adobe")).putShort((short) 100).putShort((short) 0)
                .putShort((short) 0).put((byte) transform).array();
    }

    /** An APP2 ICC_PROFILE payload holding the whole profile as chunk 1 of 1. */
    static byte[] iccSegment(byte[] profile) {
        return ByteBuffer.allocate(14 + profile.length).put(ascii("ICC_PROFILE\0")).put((byte) 1).put((byte) 1)
                .put(profile).array();
    }

    /** An animated GIF, one frame per image, each a full-size frame. */
    static byte[] animatedGif(BufferedImage... frames) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (BufferedImage frame : frames) {
                    IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(frame), null);
                    String format = metadata.getNativeMetadataFormatName();
                    IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                    IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                    control.setAttribute("disposalMethod", "none");
                    control.setAttribute("userInputFlag", "FALSE");
                    control.setAttribute("transparentColorFlag", "FALSE");
                    control.setAttribute("delayTime", "10");
                    control.setAttribute("transparentColorIndex", "0");
                    root.appendChild(control);
                    metadata.setFromTree(format, root);
                    writer.writeToSequence(new IIOImage(frame, null, metadata), null);
                }
                writer.endWriteSequence();
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A GIF laid out byte by byte: a logical screen with a global colour table, one frame at (left, top) of
     * {@code frameWidth × frameHeight} with the given palette indexes, and LZW data with any minimum code size
     * 1..11. Every pixel is sent as its own literal code, so any code size can carry any palette index below it.
     */
    static byte[] gif(int screenWidth, int screenHeight, int left, int top, int frameWidth, int frameHeight,
                      int[] rgbPalette, int transparentIndex, int minCodeSize, byte[] indexes) {
        int sizeBits = 0;
        while ((2 << sizeBits) < rgbPalette.length) {
            sizeBits++;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("GIF89a"));
        le16(out, screenWidth);
        le16(out, screenHeight);
        out.write(0x80 | sizeBits);
        out.write(0);
        out.write(0);
        for (int i = 0; i < 2 << sizeBits; i++) {
            int rgb = i < rgbPalette.length ? rgbPalette[i] : 0;
            out.write(rgb >> 16);
            out.write(rgb >> 8);
            out.write(rgb);
        }
        if (transparentIndex >= 0) {
            out.writeBytes(new byte[]{0x21, (byte) 0xF9, 4, 1, 0, 0, (byte) transparentIndex, 0});
        }
        out.write(0x2C);
        le16(out, left);
        le16(out, top);
        le16(out, frameWidth);
        le16(out, frameHeight);
        out.write(0);
        out.write(minCodeSize);
        byte[] lzw = literalLzw(indexes, minCodeSize);
        for (int p = 0; p < lzw.length; p += 255) {
            int n = Math.min(255, lzw.length - p);
            out.write(n);
            out.write(lzw, p, n);
        }
        out.write(0);
        out.write(0x3B);
        return out.toByteArray();
    }

    /** LZW codes for each index in turn, widening as a decoder's table grows and clearing when it fills. */
    private static byte[] literalLzw(byte[] indexes, int minCodeSize) {
        int clear = 1 << minCodeSize;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bits = 0;
        int count = 0;
        int width = minCodeSize + 1;
        int next = clear + 2;
        boolean first = true;
        java.util.List<int[]> emitted = new java.util.ArrayList<>();
        emitted.add(new int[]{clear, width});
        for (byte index : indexes) {
            emitted.add(new int[]{index & 0xff, width});
            if (first) {
                first = false;
            } else if (next < 4096) {
                next++;
                if (next >= (1 << width) && width < 12) {
                    width++;
                }
            }
            if (next == 4096) {
                emitted.add(new int[]{clear, width});
                width = minCodeSize + 1;
                next = clear + 2;
                first = true;
            }
        }
        emitted.add(new int[]{clear + 1, width});
        for (int[] code : emitted) {
            bits |= (long) code[0] << count;
            count += code[1];
            while (count >= 8) {
                out.write((int) bits & 0xff);
                bits >>>= 8;
                count -= 8;
            }
        }
        if (count > 0) {
            out.write((int) bits & 0xff);
        }
        return out.toByteArray();
    }

    private static void le16(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >> 8);
    }

    /**
     * A 24-bit bottom-up BMP with a DIB header of {@code headerSize} bytes: 12 (OS/2 1.x, 16-bit sizes), 16 or 64
     * (OS/2 2.x) or 40 (Windows). {@code claimedWidth × claimedHeight} goes in the header; the pixel rows are those
     * of {@code image}, so a header can claim more than the file holds.
     */
    static byte[] bmp24(BufferedImage image, int headerSize, int claimedWidth, int claimedHeight) {
        int w = image.getWidth();
        int h = image.getHeight();
        int stride = (w * 3 + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(14 + headerSize + stride * h).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("BM")).putInt(b.capacity()).putInt(0).putInt(14 + headerSize);
        b.putInt(headerSize);
        if (headerSize == 12) {
            b.putShort((short) claimedWidth).putShort((short) claimedHeight).putShort((short) 1).putShort((short) 24);
        } else {
            b.putInt(claimedWidth).putInt(claimedHeight).putShort((short) 1).putShort((short) 24);
            if (headerSize > 16) {
                b.putInt(0).putInt(stride * h).putInt(2835).putInt(2835).putInt(0).putInt(0);
            }
            b.position(14 + headerSize); // OS/2 2.x's extra fields (units, halftoning, encoding) stay zero
        }
        for (int y = h - 1; y >= 0; y--) {
            int start = b.position();
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                b.put((byte) rgb).put((byte) (rgb >> 8)).put((byte) (rgb >> 16));
            }
            b.position(start + stride);
        }
        return b.array();
    }
}
