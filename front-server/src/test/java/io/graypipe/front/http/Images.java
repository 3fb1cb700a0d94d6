package io.graypipe.front.http;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Image files made on the spot: good ones, ones that lie about their size, and broken ones. */
final class Images {
    private Images() {
    }

    static byte[] png(int width, int height) {
        return write(picture(width, height), "png");
    }

    static byte[] jpeg(int width, int height) {
        return write(picture(width, height), "jpeg");
    }

    /** Random pixels: a PNG that barely compresses, so a small image still makes a large file. */
    static byte[] noisePng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return write(image, "png");
    }

    /** A small real JPEG whose frame header claims {@code width × height}. */
    static byte[] jpegClaiming(int width, int height) {
        byte[] jpeg = jpeg(16, 16);
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
                ByteBuffer.wrap(jpeg, i + 5, 4).putShort((short) height).putShort((short) width);
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0 marker in the JPEG ImageIO wrote");
    }

    /** A PNG of a few hundred bytes whose header claims {@code width × height} gray pixels: a decompression bomb. */
    static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[1 << 20]);
        deflater.finish();
        byte[] compressed = new byte[1 << 16];
        int length = deflater.deflate(compressed);
        chunk(out, "IDAT", Arrays.copyOf(compressed, length));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static byte[] truncated(byte[] file) {
        return Arrays.copyOf(file, file.length / 2);
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Colour blocks and a gradient, so encoders cannot reduce it to nothing. */
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

    private static byte[] write(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
