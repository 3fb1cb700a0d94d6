package io.graypipe.front.json;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ImageFormat;

/** The one JSON mapper: snake_case names, ISO-8601 instants, protocol enums by their lower-case labels. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addMixIn(ExecutionMode.class, Labelled.class)
            .addMixIn(ImageFormat.class, Labelled.class);

    /**
     * Writes and reads {@link ExecutionMode} and {@link ImageFormat} by their labels, as in URLs ({@code processes})
     * and in the answers ({@code jpeg}), without Jackson in common-protocol.
     */
    private abstract static class Labelled {
        @JsonValue
        abstract String label();
    }

    private Json() {
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }
}
