package io.graypipe.front.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.protocol.codec.CodecException;
import io.graypipe.protocol.codec.WebP;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Hostile sizes, channel counts, buffer lengths and qualities into graypipe's JNA binding to libwebp
 * ({@link WebP#encode}), as a worker encodes a result, lossy and lossless. graypipe binds only libwebp's encoder:
 * WebP uploads are decoded in Java (TwelveMonkeys), and fuzzed as files by {@code ImageFuzzTest}. A native crash
 * kills the JVM and so fails the campaign. Without libwebp the target does nothing.
 *
 * <p>Invariants: an inconsistent request is refused with {@link IllegalArgumentException} before any native call;
 * a consistent one encodes to a WebP that decodes to the same size, and a lossless one to the same gray or RGB
 * values; the same request gives the same bytes twice.
 */
class WebPFuzzTest {
    private static final Optional<WebP> WEBP = WebP.load(WebP.DEFAULT_LIBRARY, new StringBuilder());

    @FuzzTest
    void encode(FuzzedDataProvider data) throws CodecException, IOException {
        if (WEBP.isEmpty()) {
            return;
        }
        boolean lossless = data.consumeBoolean();
        EncodeRequest request = EncodeRequest.from(data);
        WebP webp = WEBP.get();
        if (!request.consistent()) {
            assertThrows(IllegalArgumentException.class, () -> webp.encode(request.pixels(), request.width(),
                    request.height(), request.channels(), request.quality(), lossless), request.toString());
            return;
        }
        byte[] file = webp.encode(request.pixels(), request.width(), request.height(), request.channels(),
                request.quality(), lossless);
        assertArrayEquals(file, webp.encode(request.pixels(), request.width(), request.height(), request.channels(),
                request.quality(), lossless), "the same request gives the same bytes");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(file));
        assertNotNull(back, "a WebP ImageIO reads");
        assertEquals(request.width() + "x" + request.height(), back.getWidth() + "x" + back.getHeight());
        if (lossless && (request.channels() == 1 || request.channels() == 3)) {
            int first = back.getRGB(0, 0) & 0xffffff;
            byte[] pixels = request.pixels();
            int expected = request.channels() == 1 ? (pixels[0] & 0xff) * 0x010101
                    : (pixels[0] & 0xff) << 16 | (pixels[1] & 0xff) << 8 | (pixels[2] & 0xff);
            assertEquals(Integer.toHexString(expected), Integer.toHexString(first), "lossless keeps the first pixel");
        }
    }
}
