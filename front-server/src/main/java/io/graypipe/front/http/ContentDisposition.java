package io.graypipe.front.http;

import io.graypipe.protocol.SafeText;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code Content-Disposition: attachment} for a download whose name a client chose (RFC 6266, with the RFC 5987
 * {@code filename*=UTF-8''...} form): only the last path part of the name is kept; control, bidirectional-override
 * and reserved characters are removed (see {@link SafeText#fileName}); the name is cut to {@value #MAX_CHARS}
 * characters and always ends in the download's own extension, so {@code ../../x}, a CR LF, a quote or U+202E can
 * neither leave the header, add a parameter, nor disguise what the file is.
 */
final class ContentDisposition {
    static final int MAX_CHARS = 120;

    private ContentDisposition() {
    }

    /**
     * The header value for {@code requested} (any text from a client), ending in {@code extension} (e.g.
     * {@code .jpg}); {@code fallback} (safe already) when nothing of the requested name is usable.
     */
    static String attachment(String requested, String extension, String fallback) {
        String base = requested == null ? "" : requested.substring(Math.max(requested.lastIndexOf('/'),
                requested.lastIndexOf('\\')) + 1);
        String name = SafeText.fileName(base, MAX_CHARS - extension.length());
        if (name.isEmpty()) {
            name = fallback;
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(extension)) {
            name += extension;
        }
        return "attachment; filename=\"" + asciiFallback(name) + "\"; filename*=UTF-8''" + percentEncoded(name);
    }

    /** Names a successful image answer's download after {@code requested}; other answers and no name: unchanged. */
    static FullHttpResponse download(FullHttpResponse response, String requested) {
        if (requested != null && response.status().equals(HttpResponseStatus.OK)) {
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            String extension = "." + (type.startsWith("image/jpeg") ? "jpg" : type.replaceFirst("^image/", "")
                    .replaceAll("[^a-z0-9]", ""));
            response.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, attachment(requested, extension, "result"));
        }
        return response;
    }

    /** The name for clients that do not read {@code filename*}: printable ASCII only, without quote, backslash or %. */
    private static String asciiFallback(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? c : '_');
        }
        return out.toString();
    }

    /** RFC 5987 {@code value-chars}: attr-char as is, every other UTF-8 byte as %XX. */
    private static String percentEncoded(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
