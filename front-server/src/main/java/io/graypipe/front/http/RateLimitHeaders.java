package io.graypipe.front.http;

import io.graypipe.front.access.RateLimits;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/** A client's rate-limit state as HTTP headers: the IETF {@code RateLimit-Policy} and {@code RateLimit}. */
final class RateLimitHeaders {
    /** Names as Netty's own constants are: hashed and encoded once, not on every answer. */
    private static final AsciiString POLICY = AsciiString.cached("RateLimit-Policy");
    private static final AsciiString STATE = AsciiString.cached("RateLimit");

    private RateLimitHeaders() {
    }

    /** Sets both headers from {@code verdict} (none when null), and {@code Retry-After} on a 429. */
    static void set(HttpResponse response, RateLimits.Verdict verdict) {
        if (verdict == null) {
            return;
        }
        response.headers().set(POLICY, verdict.limit().policy());
        response.headers().set(STATE, verdict.header());
        if (response.status().equals(HttpResponseStatus.TOO_MANY_REQUESTS)) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, verdict.retryAfterSeconds() < 0
                    ? verdict.resetSeconds() : verdict.retryAfterSeconds()));
        }
    }
}
