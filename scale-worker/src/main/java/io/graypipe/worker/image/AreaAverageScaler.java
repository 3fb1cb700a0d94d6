package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;

/** Interim area-average scaler; replaced by the optimised kernel. */
public final class AreaAverageScaler {
    private AreaAverageScaler() {
    }

    public static ImageData scale(ImageData src, double factor) {
        int w = src.width();
        int h = src.height();
        int ow = Math.max(1, (int) Math.floor(w * factor + 1e-9));
        int oh = Math.max(1, (int) Math.floor(h * factor + 1e-9));
        int bpp = src.format().bytesPerPixel();
        byte[] out = new byte[ow * oh * bpp];
        byte[] in = src.data();
        for (int oy = 0; oy < oh; oy++) {
            double y0 = (double) oy * h / oh;
            double y1 = (double) (oy + 1) * h / oh;
            for (int ox = 0; ox < ow; ox++) {
                double x0 = (double) ox * w / ow;
                double x1 = (double) (ox + 1) * w / ow;
                for (int c = 0; c < bpp; c++) {
                    double sum = 0;
                    double area = 0;
                    for (int y = (int) y0; y < Math.ceil(y1); y++) {
                        double wy = Math.min(y + 1, y1) - Math.max(y, y0);
                        for (int x = (int) x0; x < Math.ceil(x1); x++) {
                            double wx = Math.min(x + 1, x1) - Math.max(x, x0);
                            sum += wx * wy * (in[(y * w + x) * bpp + c] & 0xff);
                            area += wx * wy;
                        }
                    }
                    out[(oy * ow + ox) * bpp + c] = (byte) Math.round(sum / area);
                }
            }
        }
        return new ImageData(src.format(), ow, oh, out);
    }
}
