package io.graypipe.front.pipeline;

import io.graypipe.front.cache.CachePolicy;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageFormat;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpChainException;
import io.graypipe.protocol.OutputFormat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the client asked for: the scale factor, the output format (null: follow the input), JPEG quality, where
 * the worker runs it ({@code mode}), the filter chain run after scaling ({@code ops}, issue 11) and what the
 * result cache may do ({@code cache}, issue 21). Unknown
 * parameters are ignored, so clients can add their own without breaking.
 *
 * @param lossless WebP only: {@code lossless=true}; ignored for the other formats (PNG is always lossless)
 * @param auto     {@code format=auto}: {@link FormatNegotiation} picks the format from the Accept header, and the
 *                 answer carries {@code Vary: Accept}
 */
public record ProcessingOptions(double scale, OutputFormat format, int quality, ExecutionMode mode, OpChain ops,
                                boolean lossless, boolean auto, CacheRequest cache) {
    public static final double DEFAULT_SCALE = 0.5;
    public static final int DEFAULT_QUALITY = 85;
    /** Most {@code ops} values (variants) one {@code POST /tasks} may carry. */
    public static final int MAX_VARIANTS = 10;

    private static final String LOSSLESS_SUFFIX = "+lossless";
    private static final Pattern DECIMAL = Pattern.compile("[+]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * Options without lossless, auto or a say about the cache (it is used, and shared by every client), as records
     * written before those existed are read back.
     */
    public ProcessingOptions(double scale, OutputFormat format, int quality, ExecutionMode mode, OpChain ops) {
        this(scale, format, quality, mode, ops, false, false, CacheRequest.DEFAULT);
    }

    /**
     * What a request lets the result cache do ({@code cache=use|bypass|off}) and whose entries it may share
     * ({@code scope}: empty for every client, else the client's identity under {@code --cache-scope client}).
     */
    public record CacheRequest(CachePolicy policy, String scope) {
        public static final CacheRequest DEFAULT = new CacheRequest(CachePolicy.USE, "");

        /** The request of a task restored from its status, which records it. */
        public static CacheRequest of(String policy, String scope) {
            CachePolicy parsed = policy == null ? null : CachePolicy.parse(policy);
            return new CacheRequest(parsed == null ? CachePolicy.USE : parsed, scope == null ? "" : scope);
        }
    }

    /** These options with {@code cache} instead of theirs. */
    public ProcessingOptions withCache(CacheRequest cache) {
        return new ProcessingOptions(scale, format, quality, mode, ops, lossless, auto, cache);
    }

    /**
     * Reads {@code scale}, {@code format}, {@code quality}, {@code lossless}, {@code mode} and {@code ops} (one
     * chain) from query or form parameters.
     */
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
        boolean auto = formatText != null && formatText.strip().equalsIgnoreCase("auto");
        if (formatText != null && !auto) {
            format = OutputFormat.parse(formatText.strip());
            if (format == null) {
                throw new FrontException(ErrorCode.BAD_PARAMETER,
                        "format must be jpeg, png, webp, avif or auto; got '" + clip(formatText) + "'");
            }
        }
        boolean lossless = false;
        String losslessText = params.get("lossless");
        if (losslessText != null) {
            switch (losslessText.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes" -> lossless = true;
                case "false", "0", "no" -> lossless = false;
                default -> throw new FrontException(ErrorCode.BAD_PARAMETER,
                        "lossless must be true or false; got '" + clip(losslessText) + "'");
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
        ExecutionMode mode = ExecutionMode.DEFAULT;
        String modeText = params.get("mode");
        if (modeText != null) {
            mode = ExecutionMode.parse(modeText.strip());
            if (mode == null) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, "mode must be processes or threads (or left out "
                        + "for the worker's --mode); got '" + clip(modeText) + "'");
            }
        }
        CachePolicy cache = CachePolicy.USE;
        String cacheText = params.get("cache");
        if (cacheText != null) {
            cache = CachePolicy.parse(cacheText.strip());
            if (cache == null) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, "cache must be use, bypass or off; got '"
                        + clip(cacheText) + "'");
            }
        }
        String opsText = params.get("ops");
        return new ProcessingOptions(scale, format, quality, mode, opsText == null ? OpChain.EMPTY : chain(opsText),
                lossless, auto, new CacheRequest(cache, ""));
    }

    /**
     * These options once per value of {@code ops}, each value one variant; just these options when there is
     * none. Every value is checked, and none may repeat another.
     */
    public List<ProcessingOptions> variants(List<String> opsValues) {
        if (opsValues.isEmpty()) {
            return List.of(this);
        }
        if (opsValues.size() > MAX_VARIANTS) {
            throw new FrontException(ErrorCode.BAD_PARAMETER, "ops is given " + opsValues.size()
                    + " times; one request takes at most " + MAX_VARIANTS + " variants, so split the batch");
        }
        List<ProcessingOptions> variants = new ArrayList<>(opsValues.size());
        Set<OpChain> seen = new HashSet<>();
        for (String text : opsValues) {
            OpChain chain = chain(text);
            if (!seen.add(chain)) {
                throw new FrontException(ErrorCode.BAD_PARAMETER, "ops=" + clip(chain.toString())
                        + " is given twice; give each variant once");
            }
            variants.add(new ProcessingOptions(scale, format, quality, mode, chain, lossless, auto, cache));
        }
        return variants;
    }

    /**
     * The output format as a durable task records it ({@code TaskRecord.format}): its label, {@code webp+lossless}
     * for lossless WebP, or null to follow the input. {@link #recorded} reads it back.
     */
    public String recordedFormat() {
        if (format == null) {
            return null;
        }
        return format == OutputFormat.WEBP && lossless ? format.label() + LOSSLESS_SUFFIX : format.label();
    }

    /** The options of a durable task rebuilt from its record; {@code recordedFormat} as {@link #recordedFormat()} wrote it. */
    public static ProcessingOptions recorded(double scale, String recordedFormat, int quality, ExecutionMode mode,
                                             OpChain ops) {
        if (recordedFormat == null) {
            return new ProcessingOptions(scale, null, quality, mode, ops);
        }
        boolean lossless = recordedFormat.endsWith(LOSSLESS_SUFFIX);
        OutputFormat format = OutputFormat.parse(lossless
                ? recordedFormat.substring(0, recordedFormat.length() - LOSSLESS_SUFFIX.length()) : recordedFormat);
        return new ProcessingOptions(scale, format, quality, mode, ops, lossless, false, CacheRequest.DEFAULT);
    }

    /** These options with {@code format} (null: follow the input), as {@code format=auto} resolves. */
    public ProcessingOptions withFormat(OutputFormat newFormat) {
        return new ProcessingOptions(scale, newFormat, quality, mode, ops, lossless, auto, cache);
    }

    private static OpChain chain(String text) {
        try {
            return OpChain.parse(text);
        } catch (OpChainException e) {
            throw new FrontException(ErrorCode.BAD_PARAMETER, e.getMessage());
        }
    }

    /** The output format: the one asked for, else the input's default ({@link ImageFormat#defaultOutput()}). */
    public OutputFormat formatFor(ImageFormat inputFormat) {
        return format != null ? format : inputFormat.defaultOutput();
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
