package io.graypipe.front.task;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a task is in its life. Only the last three are final. */
public enum TaskState {
    QUEUED, GRAYSCALE, SCALING, DONE, FAILED, CANCELLED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
