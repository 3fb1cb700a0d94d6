package io.graypipe.front.task;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;

/** The error of a failed task, as shown in its status JSON. */
public record ErrorInfo(String code, String message) {
    public static ErrorInfo of(ApiException e) {
        return new ErrorInfo(e.error().code(), e.getMessage());
    }

    public ApiError apiError() {
        return ApiError.valueOf(code.toUpperCase(java.util.Locale.ROOT));
    }
}
