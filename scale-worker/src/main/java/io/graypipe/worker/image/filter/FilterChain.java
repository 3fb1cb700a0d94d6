package io.graypipe.worker.image.filter;

import io.graypipe.protocol.Op;
import io.graypipe.protocol.OpChain;
import io.graypipe.worker.image.PlanarRaster;

import java.util.List;

/**
 * Runs a chain of filter operations on a raster, in order. The chain is checked again here with
 * {@link OpChain#of(List)}, since the worker does not trust the wire; a bad one throws
 * {@link io.graypipe.protocol.OpChainException} before any pixel work.
 *
 * <h2>Colour</h2>
 * Every op works on each colour plane independently and keeps alpha as it is (rotate, flip and resize move it
 * along with the colour). {@code sepia} turns a gray raster into RGB; the ops after it then run on R, G and B
 * separately, which is what Pillow does for RGB images, and {@code contrast}'s mean is the mean of Pillow's "L"
 * conversion, as in Pillow. {@code sepia} on RGB applies the whole CSS matrix.
 *
 * <h2>Edges</h2>
 * {@code blur} and {@code sharpen} extend the image by repeating its outermost pixels (as Pillow's blur does);
 * {@code edges} and {@code emboss} leave the one-pixel border as it was (as Pillow's 3×3 filters do).
 */
public final class FilterChain {
    private FilterChain() {
    }

    /** Returns the filtered raster; {@code raster} itself for an empty chain. Never modifies {@code raster}. */
    public static PlanarRaster apply(PlanarRaster raster, List<Op> ops) {
        PlanarRaster image = raster;
        for (Op op : OpChain.of(ops).ops()) {
            image = apply(image, op);
        }
        return image;
    }

    private static PlanarRaster apply(PlanarRaster image, Op op) {
        int w = image.width();
        int h = image.height();
        return switch (op.kind()) {
            case INVERT -> PointOps.invert(image);
            case BRIGHTNESS -> PointOps.brightness(image, op.a());
            case CONTRAST -> PointOps.contrast(image, op.a());
            case POSTERIZE -> PointOps.posterize(image, (int) op.a());
            case BLUR -> image.mapColour(plane -> GaussianBlur.blur(plane, w, h, op.a()));
            case SHARPEN -> image.mapColour(plane -> Sharpen.sharpen(plane, w, h, op.a()));
            case EDGES -> image.mapColour(plane -> Convolution3x3.edges(plane, w, h));
            case EMBOSS -> image.mapColour(plane -> Convolution3x3.emboss(plane, w, h));
            case SEPIA -> Sepia.sepia(image);
            case WATERMARK -> Watermark.draw(image, op.text());
            case RESIZE -> Geometry.resize(image, (int) op.a(), (int) op.b());
            case ROTATE -> Geometry.rotate(image, (int) op.a());
            case FLIP -> Geometry.flip(image, op.a() == 0);
        };
    }
}
