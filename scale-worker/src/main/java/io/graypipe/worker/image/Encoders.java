package io.graypipe.worker.image;

import io.graypipe.protocol.Hello;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import io.graypipe.protocol.turbojpeg.TurboJpeg;

import java.util.List;

/**
 * The codec libraries a worker loaded, shared by its threads and passed on to its children by name. Each may be
 * null: gray JPEGs then go through ImageIO, and WebP or AVIF cannot be encoded at all.
 *
 * @param jpeg libturbojpeg, for gray JPEGs
 * @param webp libwebp, for {@link OutputFormat#WEBP}
 * @param avif libavif, for {@link OutputFormat#AVIF}
 */
public record Encoders(TurboJpeg jpeg, WebP webp, Avif avif) {
    /** No library: JPEG and PNG through ImageIO only. */
    public static final Encoders NONE = new Encoders(null, null, null);

    /** Whether {@code format} can be encoded with these libraries. */
    public boolean encodes(OutputFormat format) {
        return switch (format) {
            case JPEG, PNG -> true;
            case WEBP -> webp != null;
            case AVIF -> avif != null;
        };
    }

    /** The HELLO feature bits that tell a front which formats beyond JPEG and PNG this worker encodes. */
    public int helloFeatures() {
        return (webp != null ? Hello.FEATURE_ENCODE_WEBP : 0) | (avif != null ? Hello.FEATURE_ENCODE_AVIF : 0);
    }

    /** The three library arguments of a child's command line, in this order: turbojpeg, webp, avif; "off" for none. */
    public List<String> childArguments() {
        return List.of(jpeg != null ? jpeg.library() : "off", webp != null ? webp.library() : "off",
                avif != null ? avif.library() : "off");
    }

    /** The libraries a child loads from {@link #childArguments()}, starting at {@code args[from]}. */
    public static Encoders fromChildArguments(String[] args, int from) {
        return new Encoders(
                named(args, from) == null ? null : TurboJpeg.load(args[from], new StringBuilder()).orElse(null),
                named(args, from + 1) == null ? null : WebP.load(args[from + 1], new StringBuilder()).orElse(null),
                named(args, from + 2) == null ? null : Avif.load(args[from + 2], new StringBuilder()).orElse(null));
    }

    private static String named(String[] args, int i) {
        return args.length > i && !args[i].equals("off") ? args[i] : null;
    }

    /** The Debian package whose library encodes {@code format}, for the message that says it is missing. */
    public static String packageFor(OutputFormat format) {
        return switch (format) {
            case WEBP -> WebP.PACKAGE;
            case AVIF -> Avif.PACKAGE;
            case JPEG, PNG -> "none";
        };
    }
}
