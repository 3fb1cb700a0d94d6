package io.graypipe.front.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.multipart.HttpData;
import io.netty.handler.codec.http.multipart.HttpDataFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A body that is the image itself: kept in memory while small, spilled to a file by the data factory past that. */
final class RawBody implements BodyDecoder {
    private final HttpData data;

    private RawBody(HttpData data) {
        this.data = data;
    }

    static RawBody open(HttpDataFactory factory, HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        HttpData data = factory.createFileUpload(request, "image", "upload", type, "binary", null,
                HttpUtil.getContentLength(request, 0L));
        // This body releases the data itself; left registered, the factory would keep the request forever.
        factory.removeHttpDataFromClean(request, data);
        return new RawBody(data);
    }

    @Override
    public ReceivedBody offer(HttpContent chunk, boolean last) throws IOException {
        data.addContent(chunk.content().retain(), last);
        return last ? new ReceivedBody(List.of(ReceivedBody.file(data, null)), Map.of()) : null;
    }

    @Override
    public void destroy() {
        if (data.refCnt() > 0) {
            data.release();
        }
    }
}
