package io.graypipe.protocol;

import java.util.Locale;

/** The encoding a scaled image is returned in. Values are part of the wire format. */
public enum OutputFormat implements WireEnum {
    JPEG(1, "jpeg", "image/jpeg"),
    PNG(2, "png", "image/png");

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

    /** Lower-case name as used in URLs and JSON: {@code jpeg} or {@code png}. */
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

    /** Parses {@code jpeg}, {@code jpg} or {@code png}, ignoring case; returns null for anything else. */
    public static OutputFormat parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> JPEG;
            case "png" -> PNG;
            default -> null;
        };
    }
}
