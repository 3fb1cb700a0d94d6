package io.graypipe.front.cache;

/**
 * One cached result and what a task shows about it: the encoded image with its format and size, and the upload
 * it was made from (format, size in pixels and bytes).
 */
public record CachedImage(byte[] data, String format, int width, int height, String inputFormat, int inputWidth,
                          int inputHeight, long inputBytes) {
}
