package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The upload body of one exchange as it arrives: how much came against the limit, the {@link UploadReceiver} it
 * goes to, and the exchange's answer once the receiver holds the whole body. The connection feeds it and drops it
 * on the event loop; the receiver's completion comes from an upload thread.
 */
final class BodyIntake {
    private static final Logger log = LoggerFactory.getLogger(BodyIntake.class);

    private final HttpExchange exchange;
    /** Event loop only: the body being received, and how much of it came. */
    private UploadReceiver receiver;
    private long receivedBytes;

    BodyIntake(HttpExchange exchange) {
        this.exchange = exchange;
    }

    /**
     * Receives the body into {@code receiving} and answers with what {@code handOn} makes of it. A body that
     * cannot be read is answered with its error; an aborted one gets no second answer.
     */
    void receive(UploadReceiver receiving, Function<ReceivedBody, CompletableFuture<FullHttpResponse>> handOn) {
        receiver = receiving;
        receiving.completion().whenComplete((body, error) -> {
            if (error instanceof CancellationException) {
                return;
            }
            if (error != null) {
                exchange.answer(HttpResponses.error(UploadRequests.receiveFailure(error)));
                return;
            }
            // The body was handed over, nothing to abort now; the receiver field belongs to the event loop.
            exchange.context().executor().execute(() -> {
                if (receiver == receiving) {
                    receiver = null;
                }
            });
            handOn.apply(body).whenComplete((response, failure) -> {
                if (failure != null) {
                    log.error("unexpected failure answering an upload", failure);
                    response = HttpResponses.error(ErrorCode.INTERNAL,
                            "an unexpected server error occurred; it has been logged");
                }
                exchange.answer(response);
            });
        });
    }

    /** Whether a body is being received (an endpoint chose to, and it is not handed over or dropped yet). */
    boolean active() {
        return receiver != null;
    }

    /** Queues a chunk of the body; returns false, having dropped the body, when it passes {@code maxBytes}. */
    boolean offer(HttpContent content, long maxBytes) {
        receivedBytes += content.content().readableBytes();
        if (receivedBytes > maxBytes) {
            abort();
            return false;
        }
        receiver.offer(content);
        return true;
    }

    /** Drops the body being received, if any. */
    void abort() {
        if (receiver != null) {
            receiver.abort();
            receiver = null;
        }
    }
}
