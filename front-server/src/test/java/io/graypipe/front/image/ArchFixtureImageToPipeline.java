package io.graypipe.front.image;

import io.graypipe.front.pipeline.ArchFixturePipelineToImage;

/** Breaks the layers on purpose (image -> pipeline), so ArchitectureTest can show its rules fire. Never used. */
public final class ArchFixtureImageToPipeline {
    ArchFixturePipelineToImage other;
}
