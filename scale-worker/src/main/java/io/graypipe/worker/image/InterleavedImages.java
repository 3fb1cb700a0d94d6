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

/** BufferedImage views over interleaved 8-bit pixel arrays (gray, gray+alpha, RGB, RGBA), without copying. */
final class InterleavedImages {
    private InterleavedImages() {
    }

    static BufferedImage view(ImageData image) {
        return view(image.data(), image.width(), image.height(), false, image.format() == PixelFormat.GRAY_ALPHA8);
    }

    /** @param data {@code width·height} pixels, each gray or R, G, B, then alpha when {@code alpha} */
    static BufferedImage view(byte[] data, int w, int h, boolean colour, boolean alpha) {
        int colours = colour ? 3 : 1;
        int bands = colours + (alpha ? 1 : 0);
        int[] bits = new int[bands];
        int[] offsets = new int[bands];
        for (int b = 0; b < bands; b++) {
            bits[b] = 8;
            offsets[b] = b;
        }
        ColorSpace space = ColorSpace.getInstance(colour ? ColorSpace.CS_sRGB : ColorSpace.CS_GRAY);
        ComponentColorModel cm = new ComponentColorModel(space, bits, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        PixelInterleavedSampleModel sm = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, w, h, bands,
                w * bands, offsets);
        WritableRaster raster = Raster.createWritableRaster(sm, new DataBufferByte(data, data.length), null);
        return new BufferedImage(cm, raster, false, null);
    }
}
