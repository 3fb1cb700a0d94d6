package io.graypipe.front.error;

import java.util.Locale;

/**
 * Why a request or task failed, as a domain reason with a stable snake_case label that clients see in
 * {@code {"error":{"code":...}}}. Knows nothing of HTTP: the HTTP layer maps each code to its status in one table
 * ({@code io.graypipe.front.http.ErrorStatus}). The README's error table lists these.
 */
public enum ErrorCode {
    MISSING_IMAGE,
    EMPTY_IMAGE,
    TOO_MANY_FILES,
    BAD_PARAMETER,
    MALFORMED_MULTIPART,
    BAD_REQUEST,
    NOT_FOUND,
    TASK_NOT_FOUND,
    BATCH_NOT_FOUND,
    /** The batch was closed: no task joins it any more. */
    BATCH_CLOSED,
    /** The batch's archive is asked for before the batch is closed and all its tasks are final. */
    BATCH_NOT_FINISHED,
    METHOD_NOT_ALLOWED,
    /** With --api-keys: no key, or one that is not in the key file. */
    UNAUTHORIZED,
    /** The client spent its images per second (its rate and burst); retry after Retry-After. */
    RATE_LIMITED,
    REQUEST_TIMEOUT,
    TASK_NOT_DONE,
    UPLOAD_TOO_LARGE,
    HEADERS_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    UNDECODABLE_IMAGE,
    IMAGE_TOO_LARGE,
    /** A bounded queue is full; retry later. */
    OVERLOADED,
    WORKER_UNAVAILABLE,
    /** The task store holds --max-data-bytes of uploads and results; async tasks wait for room. */
    STORAGE_FULL,
    /** The shared task store (Redis, with --store) cannot be reached; async tasks wait until it can. */
    STORAGE_UNAVAILABLE,
    DEADLINE_EXCEEDED,
    /** WebP or AVIF output asked for, and no connected worker loaded the library that encodes it. */
    FORMAT_UNAVAILABLE,
    SCALING_FAILED,
    INTERNAL;

    /** The label clients see, such as {@code task_not_found}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code whose {@link #label()} is {@code label}, as read back from a stored task. */
    public static ErrorCode fromLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
