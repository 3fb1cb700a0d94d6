package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which output format a request gets: {@code format=auto} resolved from its {@code Accept} header and what the
 * connected workers encode, and the check that an explicit WebP or AVIF can be encoded at all.
 */
public final class FormatNegotiation {
    /** The formats {@code auto} may pick from the Accept header, best first. */
    private static final List<OutputFormat> PREFERRED = List.of(OutputFormat.AVIF, OutputFormat.WEBP);

    private FormatNegotiation() {
    }

    /**
     * {@code options} with {@code format=auto} resolved: AVIF when {@code accept} names {@code image/avif} and a
     * worker encodes it, then WebP likewise, else no format (the input's own: JPEG for JPEG, PNG otherwise, which
     * keeps alpha). Wildcards ({@code *}{@code /*}, {@code image/*}) do not count: clients that send only those get
     * today's default. Options without {@code auto} are returned as they are.
     */
    public static ProcessingOptions resolve(ProcessingOptions options, String accept, Set<OutputFormat> encodable) {
        if (!options.auto()) {
            return options;
        }
        OutputFormat chosen = null;
        for (OutputFormat format : PREFERRED) {
            if (encodable.contains(format) && accepts(accept, format.mediaType())) {
                chosen = format;
                break;
            }
        }
        return options.withFormat(chosen);
    }

    /** Whether the Accept header names {@code mediaType} itself with a quality above 0. */
    static boolean accepts(String accept, String mediaType) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            // -1 keeps empty parts: a range of only ";" would otherwise split into no parts at all (F12).
            String[] parts = range.split(";", -1);
            if (!parts[0].strip().toLowerCase(Locale.ROOT).equals(mediaType)) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
                if (parameter.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses WebP or AVIF asked for by name when workers are connected and none of them encodes it, with 501
     * {@code format_unavailable} naming the Debian package. While no worker is connected nothing is known, and the
     * worker that takes the task answers for itself.
     */
    public static void requireEncodable(OutputFormat format, Set<OutputFormat> encodable) {
        if (format == null || format.always() || encodable.isEmpty() || encodable.contains(format)) {
            return;
        }
        throw unavailable(format);
    }

    /** The 501 answer for {@code format}. */
    public static FrontException unavailable(OutputFormat format) {
        String library = format == OutputFormat.WEBP ? "libwebp (Debian package " + WebP.PACKAGE + ")"
                : "libavif (Debian package " + Avif.PACKAGE + ")";
        return new FrontException(ErrorCode.FORMAT_UNAVAILABLE, "format=" + format.label() + " needs " + library
                + ", which no connected scale-worker could load; install it where the worker runs and restart the"
                + " worker, or ask for format=auto, jpeg or png");
    }
}
