package io.graypipe.front.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Fixture builders for PNG chunks (iCCP, gAMA, sRGB, eXIf), ICC profiles and animated GIFs, built in code.
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
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        b.putInt(data.length).put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
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
        String[] sigs = {"desc", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"};
        byte[][] data = new byte[sigs.length][];
        byte[] text = "graypipe test RGB\0".getBytes(StandardCharsets.ISO_8859_1);
        data[0] = ByteBuffer.allocate(12 + text.length + 12 + 67).put("desc".getBytes(StandardCharsets.ISO_8859_1))
                .putInt(0).putInt(text.length).put(text).array();
        data[1] = xyz(0.9642, 1.0, 0.8249);
        for (int i = 0; i < 3; i++) {
            data[2 + i] = xyz(colorants[i][0], colorants[i][1], colorants[i][2]);
        }
        byte[] curve = ByteBuffer.allocate(14).put("curv".getBytes(StandardCharsets.ISO_8859_1)).putInt(0).putInt(1)
                .putShort((short) Math.round(gamma * 256)).array();
        for (int i = 5; i < 8; i++) {
            data[i] = curve;
        }
        int tableSize = 4 + 12 * sigs.length;
        int offset = 128 + tableSize;
        int[] offsets = new int[sigs.length];
        for (int i = 0; i < sigs.length; i++) {
            offsets[i] = offset;
            offset = (offset + data[i].length + 3) & ~3;
        }
        ByteBuffer p = ByteBuffer.allocate(offset);
        p.putInt(offset).putInt(0).putInt(0x02100000);
        p.put("mntrRGB XYZ ".getBytes(StandardCharsets.ISO_8859_1));
        p.position(36).put("acsp".getBytes(StandardCharsets.ISO_8859_1));
        p.position(68).put(xyz(0.9642, 1.0, 0.8249), 8, 12);
        p.position(128).putInt(sigs.length);
        for (int i = 0; i < sigs.length; i++) {
            p.put(sigs[i].getBytes(StandardCharsets.ISO_8859_1)).putInt(offsets[i]).putInt(data[i].length);
        }
        for (int i = 0; i < sigs.length; i++) {
            p.position(offsets[i]).put(data[i]);
        }
        return p.array();
    }

    private static byte[] xyz(double x, double y, double z) {
        return ByteBuffer.allocate(20).put("XYZ ".getBytes(StandardCharsets.ISO_8859_1)).putInt(0)
                .putInt(s15(x)).putInt(s15(y)).putInt(s15(z)).array();
    }

    private static int s15(double v) {
        return (int) Math.round(v * 65536);
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
}
