package io.graypipe.front;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every error the HTTP API can answer with: a stable snake_case code and its status. The README's error table
 * lists these; {@link ApiException} carries one with a message that says what is wrong and how to fix it.
 */
public enum ApiError {
    MISSING_IMAGE(HttpResponseStatus.BAD_REQUEST),
    EMPTY_IMAGE(HttpResponseStatus.BAD_REQUEST),
    TOO_MANY_FILES(HttpResponseStatus.BAD_REQUEST),
    BAD_PARAMETER(HttpResponseStatus.BAD_REQUEST),
    MALFORMED_MULTIPART(HttpResponseStatus.BAD_REQUEST),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    TASK_NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    BATCH_NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT),
    TASK_NOT_DONE(HttpResponseStatus.CONFLICT),
    UPLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    UNSUPPORTED_MEDIA_TYPE(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE),
    UNDECODABLE_IMAGE(HttpResponseStatus.UNPROCESSABLE_ENTITY),
    IMAGE_TOO_LARGE(HttpResponseStatus.UNPROCESSABLE_ENTITY),
    OVERLOADED(HttpResponseStatus.SERVICE_UNAVAILABLE),
    WORKER_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** The data directory holds --max-data-bytes of uploads and results; async tasks wait for room. */
    STORAGE_FULL(HttpResponseStatus.SERVICE_UNAVAILABLE),
    DEADLINE_EXCEEDED(HttpResponseStatus.GATEWAY_TIMEOUT),
    SCALING_FAILED(HttpResponseStatus.UNPROCESSABLE_ENTITY),
    INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR);

    private final HttpResponseStatus status;

    ApiError(HttpResponseStatus status) {
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether a client should retry later; such answers carry {@code Retry-After}. */
    public boolean retryable() {
        return status == HttpResponseStatus.SERVICE_UNAVAILABLE;
    }
}
