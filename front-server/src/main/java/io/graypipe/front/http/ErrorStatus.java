package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The one table from domain error codes to HTTP: each {@link ErrorCode}'s status, and whether its answer carries
 * {@code Retry-After}. The switch is exhaustive, so a new code does not compile until it has a row here.
 */
final class ErrorStatus {
    /** Seconds a client should wait before retrying a 503. */
    static final int RETRY_AFTER_SECONDS = 1;

    private ErrorStatus() {
    }

    static HttpResponseStatus of(ErrorCode code) {
        return switch (code) {
            case MISSING_IMAGE, EMPTY_IMAGE, TOO_MANY_FILES, BAD_PARAMETER, MALFORMED_MULTIPART, BAD_REQUEST ->
                    HttpResponseStatus.BAD_REQUEST;
            case NOT_FOUND, TASK_NOT_FOUND, BATCH_NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case METHOD_NOT_ALLOWED -> HttpResponseStatus.METHOD_NOT_ALLOWED;
            case UNAUTHORIZED -> HttpResponseStatus.UNAUTHORIZED;
            case RATE_LIMITED -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case REQUEST_TIMEOUT -> HttpResponseStatus.REQUEST_TIMEOUT;
            case TASK_NOT_DONE, BATCH_CLOSED, BATCH_NOT_FINISHED -> HttpResponseStatus.CONFLICT;
            case UPLOAD_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            case HEADERS_TOO_LARGE -> HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            case UNSUPPORTED_MEDIA_TYPE -> HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;
            case UNDECODABLE_IMAGE, IMAGE_TOO_LARGE, SCALING_FAILED -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
            case OVERLOADED, WORKER_UNAVAILABLE, STORAGE_FULL, STORAGE_UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case FORMAT_UNAVAILABLE -> HttpResponseStatus.NOT_IMPLEMENTED;
            case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
            case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** Whether a client should retry later; such answers carry {@code Retry-After}. */
    static boolean retryable(ErrorCode code) {
        return of(code).equals(HttpResponseStatus.SERVICE_UNAVAILABLE);
    }
}
