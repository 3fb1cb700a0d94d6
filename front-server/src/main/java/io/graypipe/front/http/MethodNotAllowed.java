package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;

import java.util.List;

/** A 405 with the {@code Allow} header the client needs. */
final class MethodNotAllowed extends FrontException {
    private final String allow;

    private MethodNotAllowed(String allow, HttpMethod used) {
        super(ErrorCode.METHOD_NOT_ALLOWED, used.name() + " is not allowed here; use " + allow);
        this.allow = allow;
    }

    /** Throws a {@code MethodNotAllowed} unless {@code method} is one of {@code allowed}. */
    static void require(HttpMethod method, List<HttpMethod> allowed) {
        if (allowed.contains(method)) {
            return;
        }
        StringBuilder allow = new StringBuilder();
        for (HttpMethod candidate : allowed) {
            allow.append(allow.length() == 0 ? "" : ", ").append(candidate.name());
        }
        throw new MethodNotAllowed(allow.toString(), method);
    }

    FullHttpResponse response() {
        FullHttpResponse response = HttpResponses.error(this);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        return response;
    }
}
