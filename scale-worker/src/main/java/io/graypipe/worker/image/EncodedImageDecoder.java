package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Interim decoder for encoded inputs; replaced by the full kernel. */
public final class EncodedImageDecoder {
    private EncodedImageDecoder() {
    }

    public static ImageData decode(byte[] encoded) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            if (image == null) {
                throw new IllegalArgumentException("not a PNG or JPEG image");
            }
            BufferedImage gray = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            gray.getGraphics().drawImage(image, 0, 0, null);
            byte[] data = (byte[]) gray.getRaster().getDataElements(0, 0, image.getWidth(), image.getHeight(), null);
            return new ImageData(PixelFormat.GRAY8, image.getWidth(), image.getHeight(), data);
        } catch (IOException e) {
            throw new IllegalArgumentException("undecodable image: " + e.getMessage());
        }
    }
}
