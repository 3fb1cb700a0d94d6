package io.graypipe.protocol;

import java.util.Locale;

/** The encoding a scaled image is returned in. Values are part of the wire format. */
public enum OutputFormat implements WireEnum {
    JPEG(1, "jpeg", "image/jpeg"),
    PNG(2, "png", "image/png"),
    /** Through libwebp; only from a worker whose HELLO offers {@link Hello#FEATURE_ENCODE_WEBP}. */
    WEBP(3, "webp", "image/webp"),
    /** Through libavif; only from a worker whose HELLO offers {@link Hello#FEATURE_ENCODE_AVIF}. */
    AVIF(4, "avif", "image/avif");

    private final byte code;
    private final String label;
    private final String mediaType;

    OutputFormat(int code, String label, String mediaType) {
        this.code = (byte) code;
        this.label = label;
        this.mediaType = mediaType;
    }

    @Override
    public byte code() {
        return code;
    }

    /** Lower-case name as used in URLs, file names and JSON: {@code jpeg}, {@code png}, {@code webp}, {@code avif}. */
    public String label() {
        return label;
    }

    public String mediaType() {
        return mediaType;
    }

    public static OutputFormat fromCode(byte code) {
        return WireEnum.byCode(OutputFormat.class, code).orElseThrow(
                () -> new ProtocolException(ErrorCode.MALFORMED, "unknown output format " + (code & 0xff)));
    }

    /** The file name extension: {@code jpg} for JPEG, else the label. */
    public String extension() {
        return this == JPEG ? "jpg" : label;
    }

    /** Whether every worker encodes it (JPEG, PNG), rather than only one that loaded the codec's library. */
    public boolean always() {
        return this == JPEG || this == PNG;
    }

    /** Parses {@code jpeg}, {@code jpg}, {@code png}, {@code webp} or {@code avif}, ignoring case; null for anything else. */
    public static OutputFormat parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> JPEG;
            case "png" -> PNG;
            case "webp" -> WEBP;
            case "avif" -> AVIF;
            default -> null;
        };
    }
}
