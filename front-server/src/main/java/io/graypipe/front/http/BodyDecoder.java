package io.graypipe.front.http;

import io.netty.handler.codec.http.HttpContent;

import java.io.IOException;

/**
 * Turns an upload body's chunks into a {@link ReceivedBody}: {@link MultipartBody} for a form, {@link RawBody}
 * for a body that is the image itself. Runs on the upload executor, one chunk at a time and in order
 * ({@link UploadReceiver} sees to both), so implementations need no locking.
 */
interface BodyDecoder {
    /**
     * Takes one chunk (and retains what it keeps of it); after the last one, returns the whole body, else null.
     * Throws a {@link io.graypipe.front.error.FrontException} for a body that cannot be used.
     */
    ReceivedBody offer(HttpContent chunk, boolean last) throws IOException;

    /** Frees everything not yet handed on; safe more than once. */
    void destroy();
}
