package io.graypipe.front.pipeline;

import io.graypipe.front.image.ImageSource;
import io.graypipe.front.task.ClientId;

/**
 * One received image file. {@code release} frees its memory or temporary file and is safe to call more than once.
 *
 * @param filename as the client sent it; only ever shown, never used as a path
 * @param owner    the client that sent it: the fair queue serves by it, and its task's id carries it
 */
public record Upload(ImageSource source, String filename, Runnable release, ClientId owner) {
    /** An upload no request of this front brought (a recovered or shared task's). */
    public Upload(ImageSource source, String filename, Runnable release) {
        this(source, filename, release, ClientId.UNKNOWN);
    }

    public Upload ownedBy(ClientId client) {
        return new Upload(source, filename, release, client);
    }
}
