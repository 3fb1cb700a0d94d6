package io.graypipe.front.cache;

import io.graypipe.front.pipeline.ArchFixturePipelineToImage;

/** Breaks the layers on purpose (cache -> pipeline), so ArchitectureTest can show the cache's layer is checked. Never used. */
public final class ArchFixtureCacheToPipeline {
    ArchFixturePipelineToImage other;
}
