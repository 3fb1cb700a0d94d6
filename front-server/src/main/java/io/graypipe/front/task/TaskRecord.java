package io.graypipe.front.task;

/**
 * A durable task as stored in {@code DIR/tasks/ID.json}: its status, plus what is needed to run it again after a
 * restart.
 *
 * @param format  the output format asked for ({@code jpeg}, {@code png}, {@code webp}, {@code webp+lossless},
 *                {@code avif}; {@code format=auto} already resolved), or null to follow the input
 * @param quality JPEG quality asked for
 */
public record TaskRecord(TaskStatus task, String format, int quality) {
}
