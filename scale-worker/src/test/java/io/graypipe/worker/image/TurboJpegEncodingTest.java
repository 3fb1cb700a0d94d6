package io.graypipe.worker.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.PixelFormat;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gray JPEGs from libturbojpeg's {@code tjCompress2} against ImageIO's: both valid 1-component JPEGs of the same
 * size, of nearly the same length, decoding to nearly the same pixels. Runs against the system's
 * libturbojpeg.so.0; skipped without it unless GRAYPIPE_REQUIRE_TURBOJPEG is set.
 */
class TurboJpegEncodingTest {
    /** Smooth shading, edges and some noise: the mix a scaled photo has. */
    private static ImageData photoLike(int w, int h) {
        SplittableRandom random = new SplittableRandom(14);
        byte[] data = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double shade = 128 + 80 * Math.sin(x / 37.0) * Math.cos(y / 23.0);
                int edge = ((x / 64) + (y / 48)) % 2 == 0 ? 20 : -20;
                data[y * w + x] = (byte) Math.max(0, Math.min(255, (int) shade + edge + random.nextInt(-6, 7)));
            }
        }
        return new ImageData(PixelFormat.GRAY8, w, h, data);
    }

    private static TurboJpeg turbo() {
        Optional<TurboJpeg> turbo = TurboJpeg.load(TurboJpeg.DEFAULT_LIBRARY, new StringBuilder());
        if (System.getenv("GRAYPIPE_REQUIRE_TURBOJPEG") != null) {
            Assertions.assertTrue(turbo.isPresent(), "GRAYPIPE_REQUIRE_TURBOJPEG is set but libturbojpeg.so.0 is missing: install Debian's libturbojpeg0");
        } else {
            Assumptions.assumeTrue(turbo.isPresent(), "libturbojpeg.so.0 is missing: install Debian's libturbojpeg0");
        }
        return turbo.orElseThrow();
    }

    @Test
    void turboJpegAndImageIoGiveTheSameImageAtTheSameQuality() throws IOException {
        ImageData source = photoLike(643, 481);
        byte[] fast = ImageEncoder.encode(source, OutputFormat.JPEG, 85, turbo());
        byte[] imageIo = ImageEncoder.encode(source, OutputFormat.JPEG, 85);
        assertEquals(1, ImageEncoderTest.sofComponents(fast));
        ImageData fastPixels = ImageEncoderTest.readBack(fast);
        ImageData imageIoPixels = ImageEncoderTest.readBack(imageIo);
        assertEquals(source.width(), fastPixels.width());
        assertEquals(source.height(), fastPixels.height());
        double lengthRatio = fast.length / (double) imageIo.length;
        assertTrue(lengthRatio > 0.95 && lengthRatio < 1.05, fast.length + " against " + imageIo.length + " bytes");
        double betweenEncoders = meanAbsoluteDifference(fastPixels.data(), imageIoPixels.data());
        assertTrue(betweenEncoders <= 1.0, "mean absolute difference between the encoders " + betweenEncoders);
        double toSource = meanAbsoluteDifference(fastPixels.data(), source.data());
        assertTrue(toSource <= 4.0, "mean absolute difference to the source " + toSource);
    }

    @Test
    void grayWithAlphaAndFilteredGrayRastersGoThroughTurboJpegToo() throws IOException {
        TurboJpeg turbo = turbo();
        ImageData withAlpha = ImageEncoderTest.gradient(64, 32, true);
        assertEquals(ImageEncoder.encode(ImageEncoder.onWhite(withAlpha), OutputFormat.JPEG, 90, turbo).length,
                ImageEncoder.encode(withAlpha, OutputFormat.JPEG, 90, turbo).length);
        PlanarRaster gray = PlanarRaster.of(ImageEncoderTest.gradient(16, 8, false));
        assertEquals(1, ImageEncoderTest.sofComponents(ImageEncoder.encode(gray, OutputFormat.JPEG, 90, turbo)));
        assertEquals(16, ImageEncoderTest.readBack(ImageEncoder.encode(gray, OutputFormat.JPEG, 90, turbo)).width());
    }

    private static double meanAbsoluteDifference(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / (double) a.length;
    }
}
