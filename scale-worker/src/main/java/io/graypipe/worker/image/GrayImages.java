package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.PixelFormat;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/** BufferedImage views over {@link ImageData} arrays, without copying. */
final class GrayImages {
    private GrayImages() {
    }

    static BufferedImage view(ImageData image) {
        int w = image.width();
        int h = image.height();
        boolean alpha = image.format() == PixelFormat.GRAY_ALPHA8;
        int bands = alpha ? 2 : 1;
        ColorSpace gray = ColorSpace.getInstance(ColorSpace.CS_GRAY);
        ComponentColorModel cm = new ComponentColorModel(gray, alpha ? new int[]{8, 8} : new int[]{8}, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        PixelInterleavedSampleModel sm = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, w, h, bands,
                w * bands, alpha ? new int[]{0, 1} : new int[]{0});
        WritableRaster raster = Raster.createWritableRaster(sm, new DataBufferByte(image.data(), image.data().length),
                null);
        return new BufferedImage(cm, raster, false, null);
    }
}
