package io.graypipe.worker;

import io.graypipe.front.error.ErrorCode;

/** The worker using a front class, made on purpose for ArchitectureTest in front-server. Never used. */
public final class ArchFixtureWorkerToFront {
    ErrorCode code;
}
