package io.graypipe.protocol;

import java.util.List;

/**
 * One operation of the {@link OpCatalogue}.
 *
 * @param name        the name users type in a chain, e.g. {@code blur}
 * @param syntax      how it is written, e.g. {@code blur:R} or {@code sharpen[:A]}
 * @param description one line saying what it does
 * @param parameters  its arguments in the order they are written; empty when it takes none
 */
public record OpDescription(String name, String syntax, String description, List<OpParameter> parameters) {
    public OpDescription {
        parameters = List.copyOf(parameters);
    }
}
