package io.graypipe.front.task;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;

/** The error of a failed task, as shown in its status JSON and in every error body. */
public record ErrorInfo(String code, String message) {
    public static ErrorInfo of(FrontException e) {
        return new ErrorInfo(e.code().label(), e.getMessage());
    }

    public ErrorCode errorCode() {
        return ErrorCode.fromLabel(code);
    }
}
