package io.graypipe.worker.image.filter;

import io.graypipe.worker.image.PlanarRaster;

/**
 * The CSS {@code sepia(1)} matrix, in thousandths, rounded half up and clamped:
 * <pre>
 * R = 0.393 r + 0.769 g + 0.189 b
 * G = 0.349 r + 0.686 g + 0.168 b
 * B = 0.272 r + 0.534 g + 0.131 b
 * </pre>
 * On gray (r = g = b = v) that is {@code R = 1.351 v, G = 1.203 v, B = 0.937 v}, and a gray raster becomes RGB.
 * An RGB raster (sepia applied twice) gets the full matrix. Alpha is kept.
 */
final class Sepia {
    private static final int[][] MATRIX = {{393, 769, 189}, {349, 686, 168}, {272, 534, 131}};

    private Sepia() {
    }

    static PlanarRaster sepia(PlanarRaster raster) {
        int n = raster.width() * raster.height();
        byte[][] out = new byte[3][n];
        if (!raster.isColour()) {
            byte[] gray = raster.plane(0);
            for (int c = 0; c < 3; c++) {
                int weight = MATRIX[c][0] + MATRIX[c][1] + MATRIX[c][2];
                byte[] table = new byte[256];
                for (int v = 0; v < 256; v++) {
                    table[v] = (byte) Math.min(255, (weight * v + 500) / 1000);
                }
                byte[] plane = out[c];
                for (int i = 0; i < n; i++) {
                    plane[i] = table[gray[i] & 0xff];
                }
            }
        } else {
            byte[] r = raster.plane(0);
            byte[] g = raster.plane(1);
            byte[] b = raster.plane(2);
            for (int c = 0; c < 3; c++) {
                int[] m = MATRIX[c];
                byte[] plane = out[c];
                for (int i = 0; i < n; i++) {
                    int v = (m[0] * (r[i] & 0xff) + m[1] * (g[i] & 0xff) + m[2] * (b[i] & 0xff) + 500) / 1000;
                    plane[i] = (byte) Math.min(255, v);
                }
            }
        }
        return new PlanarRaster(raster.width(), raster.height(), out, raster.alpha());
    }
}
