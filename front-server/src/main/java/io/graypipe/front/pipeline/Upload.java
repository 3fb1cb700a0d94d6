package io.graypipe.front.pipeline;

import io.graypipe.front.image.ImageSource;

/**
 * One received image file. {@code release} frees its memory or temporary file and is safe to call more than once.
 *
 * @param filename as the client sent it; only ever shown, never used as a path
 */
public record Upload(ImageSource source, String filename, Runnable release) {
}
