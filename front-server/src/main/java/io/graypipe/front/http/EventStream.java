package io.graypipe.front.http;

import io.graypipe.front.json.Json;
import io.graypipe.front.task.EventSink;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Server-Sent Events response, written as HTTP chunks. Methods may be called from any thread: each only
 * queues a write on the channel, so nothing here waits. Events sent from one thread, or from callbacks that
 * are themselves serialised (as task subscribers are), reach the client in order.
 */
public final class EventStream implements EventSink {
    /** Seconds between keep-alive comments on a silent stream. */
    static final int KEEP_ALIVE_SECONDS = 15;
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private final Channel channel;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<Boolean> finished = new CompletableFuture<>();
    private final ScheduledFuture<?> keepAlive;

    private EventStream(Channel channel) {
        this.channel = channel;
        // A stream silent for a long time (a task waiting in the queue) would be cut by proxies' idle timeouts;
        // a comment line every KEEP_ALIVE_SECONDS keeps it open and is ignored by every SSE client.
        keepAlive = channel.eventLoop().scheduleAtFixedRate(this::comment, KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS);
        channel.closeFuture().addListener(closed -> keepAlive.cancel(false));
    }

    private void comment() {
        if (!ended.get()) {
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(KEEP_ALIVE)), channel.voidPromise());
        }
    }

    /** Writes the response head and returns the stream; {@code keepAlive} decides the Connection header. */
    static EventStream open(Channel channel, boolean keepAlive) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        // Tells proxies such as nginx not to buffer the stream.
        head.headers().set("X-Accel-Buffering", "no");
        channel.writeAndFlush(head, channel.voidPromise());
        return new EventStream(channel);
    }

    /** Sends one event whose data is {@code data} as JSON. Ignored once the stream has ended. */
    public void send(String event, Object data) {
        send(null, event, data);
    }

    /** Ignored once the stream has ended. */
    @Override
    public void send(String id, String event, Object data) {
        if (ended.get()) {
            return;
        }
        String text = (id == null ? "" : "id: " + field(id) + "\n") + "event: " + field(event) + "\n"
                + data(new String(Json.bytes(data), StandardCharsets.UTF_8)) + "\n";
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))),
                channel.voidPromise());
    }

    /**
     * A one-line field value: an id or event name can never end its line early and start a forged field (CR and
     * LF are the stream's line ends; NUL makes clients drop an id), whatever text reaches it.
     */
    static String field(String value) {
        return value.replaceAll("[\r\n\u0000]", " ");
    }

    /**
     * The data lines of one event: every line of {@code text} its own {@code data:} line, which clients join back
     * with LF. The JSON the front sends has no raw line ends (Jackson escapes them inside strings); this holds even
     * if it did, so client text inside the data cannot split the event either.
     */
    static String data(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (String line : text.split("\r\n|\r|\n", -1)) {
            out.append("data: ").append(line).append('\n');
        }
        return out.toString();
    }

    /** Ends the response. Only the first call counts. */
    @Override
    public void end() {
        if (ended.compareAndSet(false, true)) {
            keepAlive.cancel(false);
            ChannelFuture last = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            last.addListener(done -> finished.complete(done.isSuccess()));
        }
    }

    /** Completes once the stream has ended, with whether its last chunk was written. */
    CompletableFuture<Boolean> finished() {
        return finished;
    }

    @Override
    public void onClose(Runnable action) {
        channel.closeFuture().addListener(closed -> action.run());
    }
}
