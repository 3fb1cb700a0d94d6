package io.graypipe.protocol;

import java.util.Locale;

/** Error codes carried by {@link ErrorMessage}. Numeric values are part of the wire format. */
public enum ErrorCode {
    /** A frame or field that breaks the layout in PROTOCOL.md. */
    MALFORMED(1),
    FRAME_TOO_LARGE(2),
    UNKNOWN_TYPE(3),
    UNSUPPORTED_VERSION(4),
    /** A frame whose body ends before its fields do, or a stream that ends inside a frame. */
    TRUNCATED(5),
    /** The handshake was missing, out of order, or its proof was wrong. */
    UNAUTHORIZED(6),
    /** A well-formed request the worker cannot honour (bad factor, bad pixel data). */
    BAD_REQUEST(10),
    /** Reserved: version 1's ENCODED images, which nothing sends any more. */
    UNDECODABLE(11),
    /** A child died twice while holding the request. */
    CHILD_CRASHED(12),
    /** The request outlived its timeout. */
    TIMEOUT(13),
    /** The worker's queue is full. */
    OVERLOADED(14),
    /** The worker is draining and takes no new requests. */
    SHUTTING_DOWN(15),
    INTERNAL(16),
    /** A SHARED image whose region is missing, too short, or not readable on the receiver's host. */
    REGION_UNAVAILABLE(17),
    /** A request for an output format this worker cannot encode (its library is not loaded). */
    UNSUPPORTED_FORMAT(18);

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** snake_case name, as used in JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Maps a wire value to a code; an unknown value becomes {@link #INTERNAL} so newer peers stay readable. */
    public static ErrorCode fromValue(int value) {
        for (ErrorCode code : values()) {
            if (code.value == value) {
                return code;
            }
        }
        return INTERNAL;
    }
}
