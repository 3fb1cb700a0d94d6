package io.graypipe.front.pipeline;

import io.graypipe.front.image.ArchFixtureImageToPipeline;

/** With {@link ArchFixtureImageToPipeline}, a package cycle made on purpose for ArchitectureTest. Never used. */
public final class ArchFixturePipelineToImage {
    ArchFixtureImageToPipeline other;
}
