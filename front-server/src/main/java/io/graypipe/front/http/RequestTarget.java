package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's path and query, read once from its URI: every value of each parameter in order (for those that
 * may repeat, such as {@code ops}), and the first value of each.
 */
record RequestTarget(String path, Map<String, List<String>> queryValues, Map<String, String> query) {

    static final String MALFORMED_ESCAPE = "the URL holds a '%' that does not start an escape of two hex digits"
            + " (%XX); send a literal '%' as %25, or let your HTTP client encode the URL";

    /**
     * Decodes {@code uri}; a {@code %} not followed by two hex digits is refused with 400 {@code bad_request} in
     * graypipe's words (Netty's decoder throws on it, and the connection would close without an answer, F10).
     */
    static RequestTarget of(String uri) {
        QueryStringDecoder decoded = new QueryStringDecoder(uri);
        try {
            Map<String, List<String>> values = decoded.parameters();
            return new RequestTarget(decoded.path(), values, firstValues(values));
        } catch (IllegalArgumentException e) {
            throw new FrontException(ErrorCode.BAD_REQUEST, MALFORMED_ESCAPE);
        }
    }

    /** The first value of each parameter (or form field): {@code ""} for one given without a value. */
    static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new HashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }
}
