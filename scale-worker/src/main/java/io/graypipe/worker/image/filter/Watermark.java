package io.graypipe.worker.image.filter;

import io.graypipe.worker.image.PlanarRaster;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * Text drawn semi-transparent in the bottom-right corner. The font (the JDK's logical SansSerif, bold) is sized to
 * the image: its size is 1/16 of the smaller side, at least 8 px, shrunk so the text fits the width, at least
 * 6 px. The margin to the right and bottom edges is half the font size. The text is rendered anti-aliased into a
 * gray coverage mask the size of its {@link #box}, the only place a BufferedImage is used, and every colour
 * plane is blended toward the mark's tone by at most half: {@code v' = (v·(510 − m) + T·m + 255) / 510} for
 * coverage m. The tone T is white on a dark box and black on a light one (mean level of the box under 128 or
 * not), so the mark shows on any picture. Alpha is kept, and pixels outside the box are not touched.
 */
final class Watermark {
    private static final int MIN_SIZE = 6;

    /** Where the text goes, clipped to the image. */
    record Box(int x, int y, int width, int height) {
    }

    /** The font and where its baseline starts, relative to the box's top-left corner. */
    private record Layout(Font font, int textX, int baseline, Box box) {
    }

    private Watermark() {
    }

    static Box box(int w, int h, String text) {
        return layout(w, h, text).box;
    }

    static PlanarRaster draw(PlanarRaster raster, String text) {
        int w = raster.width();
        Layout layout = layout(w, raster.height(), text);
        Box box = layout.box;
        if (box.width <= 0 || box.height <= 0) {
            return raster;
        }
        byte[] coverage = mask(layout, text);
        int tone = meanInBox(raster, box) < 128 ? 255 : 0;
        return raster.mapColour(src -> {
            byte[] out = src.clone();
            for (int y = 0; y < box.height; y++) {
                for (int x = 0, i = (box.y + y) * w + box.x, m = y * box.width; x < box.width; x++, i++, m++) {
                    int c = coverage[m] & 0xff;
                    if (c != 0) {
                        out[i] = (byte) (((src[i] & 0xff) * (510 - c) + tone * c + 255) / 510);
                    }
                }
            }
            return out;
        });
    }

    private static Layout layout(int w, int h, String text) {
        int size = Math.max(8, Math.min(w, h) / 16);
        FontMetrics metrics = metrics(new Font(Font.SANS_SERIF, Font.BOLD, size));
        int available = w - size; // half a size of margin on each side
        int textWidth = metrics.stringWidth(text);
        if (textWidth > available && size > MIN_SIZE) {
            size = Math.max(MIN_SIZE, (int) ((long) size * Math.max(available, 1) / textWidth));
            metrics = metrics(new Font(Font.SANS_SERIF, Font.BOLD, size));
            textWidth = metrics.stringWidth(text);
        }
        int margin = size / 2;
        int textHeight = metrics.getAscent() + metrics.getDescent();
        int x = w - margin - textWidth;
        int y = h - margin - textHeight;
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        Box box = new Box(x0, y0, Math.max(0, w - margin - x0), Math.max(0, h - margin - y0));
        return new Layout(metrics.getFont(), x - x0, y - y0 + metrics.getAscent(), box);
    }

    /** Anti-aliased coverage of the text, one byte per pixel of the box. */
    private static byte[] mask(Layout layout, String text) {
        BufferedImage mask = new BufferedImage(layout.box.width, layout.box.height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        try {
            hints(g);
            g.setFont(layout.font);
            g.setColor(java.awt.Color.WHITE);
            g.drawString(text, layout.textX, layout.baseline);
        } finally {
            g.dispose();
        }
        return ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
    }

    /** Mean level under the box, over all colour planes. */
    private static int meanInBox(PlanarRaster raster, Box box) {
        long sum = 0;
        int w = raster.width();
        for (int c = 0; c < raster.colourPlanes(); c++) {
            byte[] plane = raster.plane(c);
            for (int y = box.y; y < box.y + box.height; y++) {
                for (int i = y * w + box.x, end = i + box.width; i < end; i++) {
                    sum += plane[i] & 0xff;
                }
            }
        }
        return (int) (sum / ((long) box.width * box.height * raster.colourPlanes()));
    }

    private static FontMetrics metrics(Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY).createGraphics();
        try {
            hints(g);
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    private static void hints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    }
}
