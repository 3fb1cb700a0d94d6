package io.graypipe.front.http;

import io.graypipe.front.error.FrontException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.util.function.Consumer;

/**
 * The answers of one exchange that are written as a stream rather than one response: an event stream
 * ({@link EventStream}) or a batch's ZIP ({@link BatchArchive}). The exchange is done only when the stream's last
 * byte is written; the connection is then reused if it may be.
 *
 * <p><b>Threads.</b> An event stream opens on whichever thread completed its feed ({@link EventStream} only queues
 * writes on the channel); an archive starts on the event loop. Shutdown reads {@link #stream} and
 * {@link #archiving} from its own thread, so both are volatile.
 */
final class StreamedAnswer {
    private final HttpExchange exchange;
    /** The event stream this request is answered with, once it is; ended early on shutdown. */
    private volatile EventStream stream;
    private volatile boolean archiving;

    StreamedAnswer(HttpExchange exchange) {
        this.exchange = exchange;
    }

    /** Opens the event stream, counted as a 200 answer now, and hands it to {@code feed}. */
    void openEvents(Consumer<EventStream> feed) {
        exchange.observed(HttpResponseStatus.OK.code());
        boolean reuse = exchange.keepAlive();
        EventStream opened = EventStream.open(exchange.context().channel(), reuse);
        opened.finished().thenAccept(written -> exchange.written(reuse && written));
        stream = opened;
        feed.accept(opened);
    }

    /**
     * On the event loop: 304 when the client holds this very archive, else the ZIP's head and then its chunks as
     * fast as the client reads them. A ZIP that cannot be completed closes the connection, so a client never
     * takes a cut ZIP for a whole one.
     */
    void startArchive(BatchArchive archive, String disposition) {
        ChannelHandlerContext ctx = exchange.context();
        String etag = archive.etag();
        if (CacheHeaders.matches(exchange.request().headers().get(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            exchange.answer(CacheHeaders.notModified(etag, "private, no-cache"));
            return;
        }
        try {
            ChunkedWriteHandler chunked = ctx.pipeline().get(ChunkedWriteHandler.class);
            archive.start(chunked::resumeTransfer, () -> ctx.channel().close(), ctx.executor());
        } catch (FrontException e) {
            exchange.answer(HttpResponses.error(e));
            return;
        }
        exchange.observed(HttpResponseStatus.OK.code());
        archiving = true;
        boolean reuse = exchange.keepAlive();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/zip");
        head.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, disposition);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.ETAG, etag);
        head.headers().set(HttpHeaderNames.CONNECTION, reuse ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        exchange.addRateLimitHeaders(head);
        ctx.channel().write(head, ctx.channel().voidPromise());
        ctx.channel().writeAndFlush(new HttpChunkedInput(archive)).addListener(done -> {
            if (!reuse || !done.isSuccess()) {
                ctx.channel().close();
            }
            exchange.written(reuse && done.isSuccess());
        });
    }

    /** Ends the event stream, if one is open; its client reconnects with Last-Event-ID. */
    void end() {
        EventStream open = stream;
        if (open != null) {
            open.end();
        }
    }

    /** Whether the answer is streamed (events or a ZIP) rather than one response. */
    boolean streaming() {
        return stream != null || archiving;
    }
}
