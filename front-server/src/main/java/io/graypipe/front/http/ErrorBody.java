package io.graypipe.front.http;

import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.ErrorInfo;

/** The one error JSON: {@code {"error":{"code":...,"message":...}}}. */
record ErrorBody(ErrorInfo error) {
    static ErrorBody of(FrontException e) {
        return new ErrorBody(ErrorInfo.of(e));
    }
}
