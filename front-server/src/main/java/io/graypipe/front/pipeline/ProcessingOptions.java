package io.graypipe.front.pipeline;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.OutputFormat;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the client asked for: the scale factor, the output format (null: follow the input) and JPEG quality.
 * Unknown parameters are ignored, so clients can add their own without breaking.
 */
public record ProcessingOptions(double scale, OutputFormat format, int quality) {
    public static final double DEFAULT_SCALE = 0.5;
    public static final int DEFAULT_QUALITY = 85;
    private static final Pattern DECIMAL = Pattern.compile("[+]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** Reads {@code scale}, {@code format} and {@code quality} from query or form parameters. */
    public static ProcessingOptions parse(Map<String, String> params) {
        double scale = DEFAULT_SCALE;
        String scaleText = params.get("scale");
        if (scaleText != null) {
            String decimal = scaleText.strip();
            // Plain decimals only: Double.parseDouble would also take "NaN", "0x1p-1" and "0.5d".
            scale = DECIMAL.matcher(decimal).matches() ? Double.parseDouble(decimal) : Double.NaN;
            if (!(scale > 0 && scale <= 1)) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, "scale must be a number with 0 < scale <= 1, such as "
                        + "scale=0.5; got '" + clip(scaleText) + "'");
            }
        }
        OutputFormat format = null;
        String formatText = params.get("format");
        if (formatText != null) {
            format = OutputFormat.parse(formatText.strip());
            if (format == null) {
                throw new FrontException(ErrorCode.BAD_PARAMETER,
                        "format must be jpeg or png; got '" + clip(formatText) + "'");
            }
        }
        int quality = DEFAULT_QUALITY;
        String qualityText = params.get("quality");
        if (qualityText != null) {
            try {
                quality = Integer.parseInt(qualityText.strip());
            } catch (NumberFormatException e) {
                quality = -1;
            }
            if (quality < 1 || quality > 100) {
                throw new FrontException(ErrorCode.BAD_PARAMETER,
                        "quality must be a whole number from 1 to 100, such as quality=85; got '" + clip(qualityText) + "'");
            }
        }
        return new ProcessingOptions(scale, format, quality);
    }

    /** The output format: the one asked for, else the input's when it is JPEG or PNG, else PNG. */
    public OutputFormat formatFor(String inputFormat) {
        if (format != null) {
            return format;
        }
        return "jpeg".equals(inputFormat) ? OutputFormat.JPEG : OutputFormat.PNG;
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
