package io.graypipe.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchImagesTest {
    @Test
    void sameSeedGivesSamePixelsAndOtherSeedDoesNot() {
        BufferedImage a = BenchImages.render(320, 200, 7);
        BufferedImage b = BenchImages.render(320, 200, 7);
        BufferedImage c = BenchImages.render(320, 200, 8);
        int[] pa = a.getRGB(0, 0, 320, 200, null, 0, 320);
        assertArrayEquals(pa, b.getRGB(0, 0, 320, 200, null, 0, 320));
        assertFalse(java.util.Arrays.equals(pa, c.getRGB(0, 0, 320, 200, null, 0, 320)));
    }

    @Test
    void writesPhotoSizedFilesOnceAndReusesThem(@TempDir Path cache) throws Exception {
        Map<BenchImages.Kind, Path> files = BenchImages.ensure(cache, 42);

        long jpeg4k = Files.size(files.get(BenchImages.Kind.JPEG_4K));
        // A real 4K q90 photo is a few megabytes; a flat gradient would be a few hundred kilobytes.
        assertTrue(jpeg4k > 2_500_000 && jpeg4k < 4_000_000, "4K JPEG is " + jpeg4k + " bytes");
        BufferedImage decoded = ImageIO.read(files.get(BenchImages.Kind.PNG_4K).toFile());
        assertEquals(3840, decoded.getWidth());
        assertEquals(2160, decoded.getHeight());
        BufferedImage hd = ImageIO.read(files.get(BenchImages.Kind.JPEG_1080P).toFile());
        assertEquals(1920, hd.getWidth());
        assertEquals(1080, hd.getHeight());

        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(files.get(BenchImages.Kind.JPEG_4K), written);
        BenchImages.ensure(cache, 42);
        assertEquals(written, Files.getLastModifiedTime(files.get(BenchImages.Kind.JPEG_4K)), "cached file rewritten");
    }
}
