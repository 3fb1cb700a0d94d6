package io.graypipe.front.http;

import io.graypipe.front.pipeline.SharedTasks;

/** An endpoint that knows which store is behind the task interface, made on purpose for ArchitectureTest. Never used. */
public final class ArchFixtureHttpToSharedTasks {
    SharedTasks shared;
}
