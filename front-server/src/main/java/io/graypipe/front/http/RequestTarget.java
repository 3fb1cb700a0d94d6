package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;

/**
 * A request's path and query parameters, %-decoded from its URI the one way the front reads them.
 *
 * @param path   the decoded path, without the query
 * @param values every value of each query parameter, in order
 */
record RequestTarget(String path, Map<String, List<String>> values) {
    static final String MALFORMED_ESCAPE = "the URL holds a '%' that does not start an escape of two hex digits"
            + " (%XX); send a literal '%' as %25, or let your HTTP client encode the URL";

    /**
     * Decodes {@code uri}; a {@code %} not followed by two hex digits is refused with 400 {@code bad_request} in
     * graypipe's words (Netty's decoder throws on it, and the connection would close without an answer, F10).
     */
    static RequestTarget of(String uri) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        try {
            return new RequestTarget(decoder.path(), decoder.parameters());
        } catch (IllegalArgumentException e) {
            throw new FrontException(ErrorCode.BAD_REQUEST, MALFORMED_ESCAPE);
        }
    }
}
