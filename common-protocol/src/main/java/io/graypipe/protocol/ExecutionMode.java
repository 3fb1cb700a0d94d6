package io.graypipe.protocol;

import java.util.Locale;

/**
 * Where a worker runs a request: in its forked child processes or in its own threads. Values are part of the
 * wire format; {@link #DEFAULT} asks for the worker's configured {@code --mode}.
 */
public enum ExecutionMode implements WireEnum {
    DEFAULT(0, "default"),
    PROCESSES(1, "processes"),
    THREADS(2, "threads");

    private final byte code;
    private final String label;

    ExecutionMode(int code, String label) {
        this.code = (byte) code;
        this.label = label;
    }

    @Override
    public byte code() {
        return code;
    }

    /** Lower-case name as used in URLs, JSON and flags. */
    public String label() {
        return label;
    }

    public static ExecutionMode fromCode(byte code) {
        return WireEnum.byCode(ExecutionMode.class, code).orElseThrow(
                () -> new ProtocolException(ErrorCode.MALFORMED, "unknown execution mode " + (code & 0xff)));
    }

    /** Parses {@code processes} or {@code threads}, ignoring case; null for anything else. */
    public static ExecutionMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "processes" -> PROCESSES;
            case "threads" -> THREADS;
            default -> null;
        };
    }
}
