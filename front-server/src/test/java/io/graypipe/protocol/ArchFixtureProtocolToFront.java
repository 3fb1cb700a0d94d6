package io.graypipe.protocol;

import io.graypipe.front.error.ErrorCode;

/** The protocol using a front class, made on purpose for ArchitectureTest in front-server. Never used. */
public final class ArchFixtureProtocolToFront {
    ErrorCode code;
}
