package io.graypipe.front.http;

import io.graypipe.front.ApiError;
import io.graypipe.front.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.Map;

/** Builds and sends every response the front writes. Error bodies always have the documented JSON shape. */
public final class HttpResponses {
    /** Seconds a client should wait before retrying a 503. */
    public static final int RETRY_AFTER_SECONDS = 1;

    private HttpResponses() {
    }

    public static FullHttpResponse json(HttpResponseStatus status, Object body) {
        return bytes(status, "application/json", Json.bytes(body));
    }

    public static FullHttpResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    public static FullHttpResponse error(ApiException e) {
        return error(e.error(), e.getMessage());
    }

    public static FullHttpResponse error(ApiError error, String message) {
        FullHttpResponse response = json(error.status(),
                Map.of("error", Map.of("code", error.code(), "message", message)));
        if (error.retryable()) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    /** {@code text} from the client, shortened so an error message quoting it stays readable. */
    static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /**
     * Writes {@code response}. With {@code keepAlive} false the connection closes after it, which is also how a
     * request whose body was not read is ended safely.
     */
    public static ChannelFuture send(Channel channel, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            return channel.writeAndFlush(response);
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
