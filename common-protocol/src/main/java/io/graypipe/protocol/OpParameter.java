package io.graypipe.protocol;

import java.util.List;

/**
 * One argument of an operation in the {@link OpCatalogue}, as GET /ops shows it and the page and CLI build their
 * controls from it.
 *
 * @param name         what the argument is, e.g. {@code radius}
 * @param type         {@code number} (decimal), {@code integer}, {@code choice} (one of {@code choices}) or
 *                     {@code text} (printable ASCII; {@code min} and {@code max} bound its length)
 * @param min          smallest value (or length), null for a choice
 * @param minExclusive whether {@code min} itself is excluded (blur's 0 &lt; R)
 * @param max          largest value (or length), null for a choice
 * @param defaultValue the value used when the argument is left out, null when it is required
 * @param choices      the accepted values of a choice, empty otherwise
 * @param description  one line for a tooltip or {@code --help}
 */
public record OpParameter(String name, String type, Double min, boolean minExclusive, Double max, Double defaultValue,
                          List<String> choices, String description) {
    public OpParameter {
        choices = List.copyOf(choices);
    }

    static OpParameter number(String name, double min, boolean minExclusive, double max, Double defaultValue,
                              String description) {
        return new OpParameter(name, "number", min, minExclusive, max, defaultValue, List.of(), description);
    }

    static OpParameter integer(String name, int min, int max, String description) {
        return new OpParameter(name, "integer", (double) min, false, (double) max, null, List.of(), description);
    }

    static OpParameter choice(String name, List<String> choices, String description) {
        return new OpParameter(name, "choice", null, false, null, null, choices, description);
    }

    static OpParameter text(String name, int minLength, int maxLength, String description) {
        return new OpParameter(name, "text", (double) minLength, false, (double) maxLength, null, List.of(),
                description);
    }
}
