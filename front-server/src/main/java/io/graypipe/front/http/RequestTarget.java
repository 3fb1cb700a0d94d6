package io.graypipe.front.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's path and query, read once from its URI: every value of each parameter in order (for those that
 * may repeat, such as {@code ops}), and the first value of each.
 */
record RequestTarget(String path, Map<String, List<String>> queryValues, Map<String, String> query) {

    static RequestTarget of(String uri) {
        QueryStringDecoder decoded = new QueryStringDecoder(uri);
        return new RequestTarget(decoded.path(), decoded.parameters(), firstValues(decoded.parameters()));
    }

    /** The first value of each parameter (or form field): {@code ""} for one given without a value. */
    static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new HashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }
}
