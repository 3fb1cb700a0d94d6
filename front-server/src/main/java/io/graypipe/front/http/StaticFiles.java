package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.netty.handler.codec.http.FullHttpResponse;

import java.util.Map;

/** A fixed set of named {@link StaticResource}s under one path ({@code /docs/}, {@code /assets/}); other names are 404. */
final class StaticFiles {
    private final String path;
    private final Map<String, StaticResource> files;

    StaticFiles(String path, Map<String, StaticResource> files) {
        this.path = path;
        this.files = Map.copyOf(files);
    }

    FullHttpResponse response(String name) {
        StaticResource file = files.get(name);
        if (file == null) {
            throw new FrontException(ErrorCode.NOT_FOUND, "no file " + path + HttpResponses.clip(name) + "; the files here are "
                    + String.join(", ", new java.util.TreeSet<>(files.keySet())));
        }
        return file.response();
    }
}
