package io.graypipe.front.task;

/** What the status JSON says about an input or output image. */
public record ImageInfo(String format, int width, int height, long bytes) {
}
