package io.graypipe.protocol;

import java.util.Optional;

/**
 * An enumeration whose constants travel as one byte on the wire. The codes are fixed by PROTOCOL.md, never by
 * the constants' order, so they can be added and retired without renumbering the rest.
 */
interface WireEnum {
    byte code();

    /** The constant of {@code type} with this code, or empty when the code is not one of its values. */
    static <E extends Enum<E> & WireEnum> Optional<E> byCode(Class<E> type, byte code) {
        for (E constant : type.getEnumConstants()) {
            if (constant.code() == code) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }
}
