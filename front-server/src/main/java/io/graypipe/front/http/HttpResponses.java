package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.json.Json;
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


/** Builds and sends every response the front writes. Error bodies always have the documented JSON shape. */
public final class HttpResponses {
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

    /** The error answer for {@code e}: its status from {@link ErrorStatus}, the one error JSON, Retry-After on 503. */
    public static FullHttpResponse error(FrontException e) {
        return error(e.code(), ErrorBody.of(e));
    }

    public static FullHttpResponse error(ErrorCode code, String message) {
        return error(new FrontException(code, message));
    }

    /** An error answer whose body is {@code body}; the status and Retry-After follow {@code code}. */
    static FullHttpResponse error(ErrorCode code, Object body) {
        FullHttpResponse response = json(ErrorStatus.of(code), body);
        retryAfter(response, code);
        if (code == ErrorCode.UNAUTHORIZED) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"graypipe\"");
        }
        return response;
    }

    /** Adds {@code Retry-After} when {@code code} asks clients to come back later. */
    static void retryAfter(FullHttpResponse response, ErrorCode code) {
        if (ErrorStatus.retryable(code)) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, ErrorStatus.RETRY_AFTER_SECONDS);
        }
    }

    /** {@code text} from the client, shortened so an error message quoting it stays readable. */
    static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /** {@code text} from the client reduced to {@code [A-Za-z0-9_-]}, safe inside a header value. */
    static String safeToken(String text) {
        return clip(text).replaceAll("[^A-Za-z0-9_-]", "_");
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
