package io.graypipe.front.image;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ImageFormat;

import javax.imageio.stream.ImageInputStream;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;

/**
 * WebP uploads (lossy, lossless, with alpha) through TwelveMonkeys' reader. A WebP with a canvas (VP8X) gives its
 * first frame as a viewer shows it: on the canvas, at its offset, the rest transparent, as {@link GifDecoder} does
 * for a GIF (TwelveMonkeys returns the frame alone, so a frame smaller than the canvas came out at the frame's size
 * while {@code /info} said the canvas's: docs/fuzzing.md, F18 and F20). The reader sees the upload through
 * {@link EndBoundedImageStream}, so damaged data cannot keep it reading past the end (F19).
 */
record WebpDecoder(ImageLimits limits) implements FormatDecoder {
    @Override
    public DecodedImage decode(ImageInputStream in) throws IOException {
        long start = in.getStreamPosition();
        WebpAvifHeaders.WebpFirstFrame placement = WebpAvifHeaders.webpFirstFrame(in);
        in.seek(start);
        BufferedImage frame = ImageIoReading.read(new EndBoundedImageStream(in), ImageFormat.WEBP,
                ImageIoReading.TWELVEMONKEYS, limits);
        ImageData gray = RasterToGray.convert(placement == null ? frame : onCanvas(frame, placement));
        return new DecodedImage(ImageFormat.WEBP, gray.width(), gray.height(), gray);
    }

    private BufferedImage onCanvas(BufferedImage frame, WebpAvifHeaders.WebpFirstFrame placement) {
        if (placement.x() == 0 && placement.y() == 0 && frame.getWidth() == placement.canvasWidth()
                && frame.getHeight() == placement.canvasHeight()) {
            return frame;
        }
        limits.check(ImageFormat.WEBP, placement.canvasWidth(), placement.canvasHeight());
        BufferedImage canvas = new BufferedImage(placement.canvasWidth(), placement.canvasHeight(),
                BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.drawImage(frame, placement.x(), placement.y(), null);
        } finally {
            g.dispose();
        }
        return canvas;
    }
}
