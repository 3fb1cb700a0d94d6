package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.netty.handler.codec.http.FullHttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /docs}: Swagger UI on {@code /openapi.json}, served from memory with no external URL. The page and its
 * initializer are graypipe's own files (no inline script, so {@code script-src 'self'} holds); the bundle, the
 * stylesheet and the icon come from the {@code org.webjars:swagger-ui} jar on the class path, loaded once at start.
 */
final class ApiDocs {
    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/";

    private final StaticResource page = StaticResource.load("/web/docs.html", "text/html; charset=utf-8");
    private final Map<String, StaticResource> files;

    ApiDocs() {
        String base = WEBJAR + webjarVersion() + "/";
        files = Map.of(
                "initializer.js", StaticResource.load("/web/docs-initializer.js", "text/javascript; charset=utf-8"),
                "swagger-ui-bundle.js", StaticResource.load(base + "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                "swagger-ui.css", StaticResource.load(base + "swagger-ui.css", "text/css; charset=utf-8"),
                "favicon-32x32.png", StaticResource.load(base + "favicon-32x32.png", "image/png"));
    }

    FullHttpResponse page() {
        return page.response();
    }

    /** {@code GET /docs/{name}}: one of the page's files; 404 for any other name. */
    FullHttpResponse file(String name) {
        StaticResource file = files.get(name);
        if (file == null) {
            throw new FrontException(ErrorCode.NOT_FOUND, "no file /docs/" + HttpResponses.clip(name)
                    + "; the API documentation is at /docs");
        }
        return file.response();
    }

    /** The Swagger UI version of the jar on the class path, from its Maven properties; a missing jar fails the start. */
    private static String webjarVersion() {
        String path = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
        try (InputStream in = ApiDocs.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing: the swagger-ui webjar is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
