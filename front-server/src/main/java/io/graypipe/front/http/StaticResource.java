package io.graypipe.front.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A file shipped in the jar (the web page, the OpenAPI document), read once at startup and served from memory. */
public final class StaticResource {
    private final String contentType;
    private final byte[] body;

    private StaticResource(String contentType, byte[] body) {
        this.contentType = contentType;
        this.body = body;
    }

    /** Loads {@code path} from the class path; a missing resource is a broken build, so it fails loudly. */
    public static StaticResource load(String path, String contentType) {
        try (InputStream in = StaticResource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing from the class path");
            }
            return new StaticResource(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FullHttpResponse response() {
        FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.OK, contentType, body);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return response;
    }
}
