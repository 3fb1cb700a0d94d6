package io.graypipe.front.archfixture;

import io.graypipe.worker.WorkerConfig;

/** The front using a worker class, made on purpose for ArchitectureTest. Never used. */
public final class WorkerInFront {
    WorkerConfig config;
}
