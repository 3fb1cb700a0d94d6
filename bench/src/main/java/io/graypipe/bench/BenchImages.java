package io.graypipe.bench;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic, photo-like benchmark inputs. Flat gradients compress to almost nothing and decode unrealistically
 * fast, so each image layers smooth lighting, multi-octave value-noise texture, hard-edged shapes and per-pixel
 * sensor noise: a 3840x2160 q90 JPEG comes out at a few megabytes, like a camera photo.
 */
public final class BenchImages {
    /** Bump when the generator changes, so caches written by an older generator are not reused. */
    static final int GENERATOR_VERSION = 1;
    public static final long DEFAULT_SEED = 20240601L;
    static final float JPEG_QUALITY = 0.90f;

    /** The inputs the benchmark scenarios use. */
    public enum Kind {
        JPEG_4K(3840, 2160, "jpeg", "4k.jpg"),
        JPEG_1080P(1920, 1080, "jpeg", "1080p.jpg"),
        PNG_4K(3840, 2160, "png", "4k.png"),
        /** Small enough that per-request overhead, not the kernels, decides the throughput. */
        JPEG_320(320, 240, "jpeg", "320x240.jpg");

        final int width;
        final int height;
        final String formatName;
        final String fileName;

        Kind(int width, int height, String formatName, String fileName) {
            this.width = width;
            this.height = height;
            this.formatName = formatName;
            this.fileName = fileName;
        }

        public String fileName() {
            return fileName;
        }
    }

    private BenchImages() {
    }

    /**
     * Returns the files for every {@link Kind}, generating any that are not yet in {@code cacheDir}. Files are keyed
     * by generator version and seed, and are written through a temporary file so a crash never leaves half an image.
     */
    public static Map<Kind, Path> ensure(Path cacheDir, long seed) throws IOException {
        Path dir = cacheDir.resolve("v" + GENERATOR_VERSION + "-seed" + seed);
        Files.createDirectories(dir);
        Map<Kind, Path> files = new EnumMap<>(Kind.class);
        BufferedImage image4k = null;
        for (Kind kind : Kind.values()) {
            Path file = dir.resolve(kind.fileName);
            if (!Files.exists(file)) {
                BufferedImage image;
                if (kind.width == 3840) {
                    // Both 4K inputs share one raster: the JPEG and PNG differ only in container.
                    if (image4k == null) {
                        image4k = render(kind.width, kind.height, seed);
                    }
                    image = image4k;
                } else {
                    image = render(kind.width, kind.height, seed + kind.ordinal());
                }
                byte[] bytes = encode(image, kind.formatName);
                Path tmp = Files.createTempFile(dir, kind.fileName, ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            files.put(kind, file);
        }
        return files;
    }

    /** Encodes as JPEG at {@link #JPEG_QUALITY}, or as PNG with the JDK's default settings. */
    static byte[] encode(BufferedImage image, String formatName) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 << 20);
        if (formatName.equals("jpeg")) {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
        } else if (!ImageIO.write(image, formatName, out)) {
            throw new IOException("no ImageIO writer for " + formatName);
        }
        return out.toByteArray();
    }

    /** Renders a colour, photo-like image; the same size and seed always give the same pixels. */
    public static BufferedImage render(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();

        // Lighting: a diagonal colour gradient with a vignette, the low-frequency part of a photo.
        ValueNoise coarse = new ValueNoise(random.nextLong(), 64);
        ValueNoise medium = new ValueNoise(random.nextLong(), 256);
        ValueNoise fine = new ValueNoise(random.nextLong(), 1024);
        double cx = width / 2.0;
        double cy = height / 2.0;
        double maxRadius2 = cx * cx + cy * cy;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double u = (double) x / width;
                double v = (double) y / height;
                double dx = x - cx;
                double dy = y - cy;
                double vignette = 1.0 - 0.45 * (dx * dx + dy * dy) / maxRadius2;
                // Texture: three octaves at feature sizes of roughly 60, 15 and 4 pixels.
                double texture = 60 * coarse.at(x / 60.0, y / 60.0)
                        + 28 * medium.at(x / 15.0, y / 15.0)
                        + 22 * fine.at(x / 3.7, y / 3.7);
                double r = (90 + 110 * u + texture) * vignette;
                double g = (70 + 90 * v + 0.8 * texture) * vignette;
                double b = (140 - 80 * u + 40 * v + 0.6 * texture) * vignette;
                pixels[y * width + x] = rgb(r, g, b);
            }
        }

        // Objects: hard edges, the high-contrast detail that makes JPEG work and that scaling must average.
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int shapes = (int) ((long) width * height / 40_000);
        for (int i = 0; i < shapes; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256),
                    60 + random.nextInt(160)));
            double x = random.nextDouble() * width;
            double y = random.nextDouble() * height;
            double size = 8 + Math.pow(random.nextDouble(), 3) * width / 6;
            switch (random.nextInt(3)) {
                case 0 -> g.fill(new Rectangle2D.Double(x, y, size, size * (0.3 + random.nextDouble())));
                case 1 -> g.fill(new Ellipse2D.Double(x, y, size, size * (0.5 + random.nextDouble())));
                default -> {
                    g.setStroke(new BasicStroke(1 + random.nextInt(6)));
                    g.draw(new Line2D.Double(x, y, x + (random.nextDouble() - 0.5) * size * 4,
                            y + (random.nextDouble() - 0.5) * size * 4));
                }
            }
        }
        g.dispose();

        // Sensor noise: per-pixel, per-channel grain, which is what keeps real photos from compressing to nothing.
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            int grain = random.nextInt(21) - 10;
            pixels[i] = rgb(((p >> 16) & 0xff) + grain + random.nextInt(9) - 4,
                    ((p >> 8) & 0xff) + grain + random.nextInt(9) - 4,
                    (p & 0xff) + grain + random.nextInt(9) - 4);
        }
        return image;
    }

    private static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(double value) {
        return value <= 0 ? 0 : value >= 255 ? 255 : (int) value;
    }

    /** Smoothly interpolated lattice noise in [-1, 1], periodic over {@code period} lattice cells. */
    private static final class ValueNoise {
        private final double[] lattice;
        private final int period;

        ValueNoise(long seed, int period) {
            SplittableRandom random = new SplittableRandom(seed);
            this.period = period;
            this.lattice = new double[period * period];
            for (int i = 0; i < lattice.length; i++) {
                lattice[i] = random.nextDouble() * 2 - 1;
            }
        }

        double at(double x, double y) {
            int x0 = (int) x;
            int y0 = (int) y;
            double fx = smooth(x - x0);
            double fy = smooth(y - y0);
            int xa = x0 % period;
            int xb = (x0 + 1) % period;
            int ya = (y0 % period) * period;
            int yb = ((y0 + 1) % period) * period;
            double top = lattice[ya + xa] + fx * (lattice[ya + xb] - lattice[ya + xa]);
            double bottom = lattice[yb + xa] + fx * (lattice[yb + xb] - lattice[yb + xa]);
            return top + fy * (bottom - top);
        }

        private static double smooth(double t) {
            return t * t * (3 - 2 * t);
        }
    }
}
