package io.graypipe.front.http;

import io.graypipe.front.task.Batch;
import io.graypipe.front.task.TaskCache;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.protocol.Sha256;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * HTTP caching of image answers (issue 21): the strong {@code ETag} (the result cache's key), {@code X-Cache},
 * {@code Cache-Control}, and {@code If-None-Match} answered with 304.
 *
 * <p>Every answer is {@code private}: a task's result URL stops working at {@code DELETE}, which a shared cache
 * (a CDN) would not know, and a shared cache in front of {@code --cache-scope client} would undo the scoping.
 */
final class CacheHeaders {
    static final String X_CACHE = "X-Cache";

    private CacheHeaders() {
    }

    /** {@code Cache-Control} of {@code POST /process}: {@code --cache-max-age}. */
    static String forProcess(Duration maxAge) {
        return "private, max-age=" + maxAge.toSeconds();
    }

    /** {@code Cache-Control} of a task's result, which never changes and is kept for the result TTL. */
    static String forResult(Duration resultTtl) {
        return "private, max-age=" + resultTtl.toSeconds() + ", immutable";
    }

    /** Adds the ETag and X-Cache of {@code status} (when the task has them) and {@code cacheControl}. */
    static void image(HttpResponse response, TaskStatus status, String cacheControl) {
        TaskCache cache = status.cache();
        if (cache != null && cache.etag() != null) {
            response.headers().set(HttpHeaderNames.ETAG, cache.etag());
        }
        if (cache != null && cache.result() != null) {
            response.headers().set(X_CACHE, cache.result());
        }
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
    }

    /** The ETag of a task's result, or null when it has none. */
    static String etag(TaskStatus status) {
        return status.cache() == null ? null : status.cache().etag();
    }

    /**
     * Whether {@code ifNoneMatch} (the header, or null) names {@code etag}: {@code *}, or one of its list,
     * compared weakly as RFC 9110 says for If-None-Match.
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** 304: no body, the validator and the caching headers the 200 would carry. */
    static FullHttpResponse notModified(String etag, String cacheControl) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
        response.headers().set(HttpHeaderNames.ETAG, etag);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        return response;
    }

    /**
     * The strong ETag of a finished batch's archive: a hash of every member's task id, state and result ETag, in
     * order, so the same members with the same results give the same ZIP.
     */
    static String archiveEtag(String batchId, List<Batch.BatchStatus.Item> members) {
        MessageDigest digest = Sha256.digest();
        StringBuilder text = new StringBuilder("graypipe-archive-1\n").append(batchId).append('\n');
        for (Batch.BatchStatus.Item member : members) {
            TaskStatus status = member.task();
            text.append(status.id()).append(' ').append(status.status().label()).append(' ')
                    .append(etag(status)).append(' ').append(member.filename()).append('\n');
        }
        return '"' + HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8))) + '"';
    }
}
