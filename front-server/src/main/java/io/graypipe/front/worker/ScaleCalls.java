package io.graypipe.front.worker;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The requests given to one worker and not answered yet, matched to answers by request id. Each call ends exactly
 * once: with its result, the worker's error, its own deadline (whatever the connection does meanwhile), or when
 * {@link #failAll} ends every call at once (a lost worker in a pool, shutdown). A call is written to the current
 * connection as soon as there is one, and written again to each new connection it was not sent on yet, so that a
 * worker restart loses nothing. A call whose region the worker could not read is sent once more with its pixels
 * inline (PROTOCOL.md). The map is safe from any thread; a call's send state is touched only on the event loop.
 */
final class ScaleCalls {
    private final EventLoop loop;
    private final SharedMemoryChoice memory;
    /** Told, for each call, how long it took from {@link #add} until its request was written to the socket. */
    private final Consumer<Duration> transferTimes;
    private final Map<Long, ScaleCall> calls = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    ScaleCalls(EventLoop loop, SharedMemoryChoice memory, Consumer<Duration> transferTimes) {
        this.loop = loop;
        this.memory = memory;
        this.transferTimes = transferTimes;
    }

    /** Calls not ended yet. */
    int size() {
        return calls.size();
    }

    /**
     * Makes a call of {@code order}, writing its raster into a region first (on the caller's thread) when it should
     * travel that way, and sends it on {@code link}'s connection if there is one.
     *
     * @param unreachable what a deadline's error adds about the connection: empty when it is up
     */
    CompletableFuture<ScaleResult> add(ScaleOrder order, int timeoutMillis, Supplier<String> unreachable,
                                       Supplier<WorkerLink> link) {
        long id = nextId.getAndIncrement();
        String region = memory.regionFor(order.image());
        ScaleCall call = new ScaleCall(new ScaleRequest(id, order.targetWidth(), order.targetHeight(), order.format(),
                order.quality(), timeoutMillis, order.mode(), order.ops(), order.image(), order.lossless()), region);
        if (region != null) {
            call.future.whenComplete((result, error) -> memory.release(region));
        }
        calls.put(id, call);
        // The timer looks the call up by id rather than capturing it, and is cancelled once the call ends:
        // otherwise every raster would stay reachable from the timer queue for the whole timeout.
        ScheduledFuture<?> timer = loop.schedule(() -> {
            ScaleCall expired = calls.remove(id);
            if (expired != null) {
                expired.future.completeExceptionally(new FrontException(ErrorCode.DEADLINE_EXCEEDED,
                        "the image was not scaled within " + timeoutMillis + " ms; try again, or a smaller image"
                                + unreachable.get()));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        call.future.whenComplete((result, error) -> timer.cancel(false));
        loop.execute(() -> {
            WorkerLink now = link.get();
            if (now != null && call.sentOn != now.channel() && calls.containsKey(id)) {
                write(call, now);
                now.channel().flush();
            }
        });
        return call.future;
    }

    /** Writes every call not yet sent on {@code link}'s connection: after a (re)connect. Event loop only. */
    void resendAll(WorkerLink link) {
        calls.values().forEach(call -> {
            if (call.sentOn != link.channel()) {
                write(call, link);
            }
        });
        link.channel().flush();
    }

    private void write(ScaleCall call, WorkerLink link) {
        // A resend after a reconnect is not a second transfer of the same image to time.
        boolean firstAttempt = call.sentOn == null;
        call.sentOn = link.channel();
        ScaleRequest request = call.requestFor(link.sharesMemory());
        call.sentShared = request.image().isShared();
        link.channel().write(request).addListener(written -> {
            if (written.isSuccess() && firstAttempt) {
                transferTimes.accept(Duration.ofNanos(System.nanoTime() - call.createdNanos));
            }
        });
    }

    void onResult(ScaleResult result) {
        ScaleCall call = calls.remove(result.requestId());
        if (call != null) {
            call.future.complete(result);
        }
    }

    /**
     * The worker's error about one request: it ends the call, except a REGION_UNAVAILABLE for a request that named
     * its region, which is sent again inline, on {@code link} now or by the next handshake. Event loop only.
     */
    void onError(ErrorMessage error, WorkerLink link) {
        ScaleCall call = calls.get(error.requestId());
        if (call != null && error.code() == io.graypipe.protocol.ErrorCode.REGION_UNAVAILABLE && call.sentShared) {
            memory.refused(call.region, error);
            call.regionRefused = true;
            if (link != null) {
                write(call, link);
                link.channel().flush();
            }
        } else if (call != null && calls.remove(error.requestId(), call)) {
            call.future.completeExceptionally(WorkerErrors.toFrontException(error));
        }
    }

    /** Ends every call not ended yet with {@code failure}'s exception. */
    void failAll(Supplier<? extends Exception> failure) {
        for (Long id : calls.keySet()) {
            ScaleCall call = calls.remove(id);
            if (call != null) {
                call.future.completeExceptionally(failure.get());
            }
        }
    }
}
