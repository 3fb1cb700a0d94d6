package io.graypipe.front.http;

import io.graypipe.front.image.ImageSource;
import io.graypipe.front.pipeline.Upload;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.multipart.HttpData;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An upload body received whole: the image files found in fields {@code image} or {@code file} (or the body
 * itself when it is the image), and every value of each text field in order.
 */
record ReceivedBody(List<Upload> files, Map<String, List<String>> fieldValues) {

    /** The first value of each text field. */
    Map<String, String> fields() {
        return RequestTarget.firstValues(fieldValues);
    }

    /**
     * One received file as an {@link Upload}, which now owns {@code data}: a body kept in memory is copied out and
     * released at once, one spilled to a file is released (its file deleted) when the upload is.
     */
    static Upload file(HttpData data, String filename) throws IOException {
        if (data.isInMemory()) {
            // One copy out of the received chunks gives ImageIO a plain array to read, instead of a cache it
            // fills block by block, and frees the chunks at once.
            byte[] bytes = ByteBufUtil.getBytes(data.getByteBuf());
            data.release();
            return new Upload(ImageSource.of(bytes), filename, () -> { });
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                data.release();
            }
        };
        return new Upload(ImageSource.of(data.getFile().toPath()), filename, release);
    }
}
