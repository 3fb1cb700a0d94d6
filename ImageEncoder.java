package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Interim encoder; replaced by the full kernel. */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    public static byte[] encode(ImageData img, OutputFormat format, int quality) {
        BufferedImage image = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = img.data();
        int bpp = img.format().bytesPerPixel();
        byte[] gray = new byte[img.width() * img.height()];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = data[i * bpp];
        }
        image.getRaster().setDataElements(0, 0, img.width(), img.height(), gray);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format.label()).next();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == OutputFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality / 100f);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
