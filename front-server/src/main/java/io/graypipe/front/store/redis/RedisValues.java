package io.graypipe.front.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** How values go into Redis and come out: records as JSON through the front's one mapper, text as UTF-8. */
final class RedisValues {
    private final ObjectMapper json;

    RedisValues(ObjectMapper json) {
        this.json = json;
    }

    byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }

    <T> T parse(byte[] value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable " + type.getSimpleName() + " in Redis", e);
        }
    }

    static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] value) {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }
}
