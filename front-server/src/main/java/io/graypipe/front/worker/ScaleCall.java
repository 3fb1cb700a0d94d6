package io.graypipe.front.worker;

import io.graypipe.protocol.ImageData;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.protocol.ScaleResult;
import io.netty.channel.Channel;

import java.util.concurrent.CompletableFuture;

/** One request to a worker, from {@link WorkerClient#scale} until it ends; see {@link ScaleCalls}. */
final class ScaleCall {
    /** The request with its pixels inline. */
    final ScaleRequest request;
    /** The region holding the same pixels, or null; owned by this call, released when it ends. */
    final String region;
    final CompletableFuture<ScaleResult> future = new CompletableFuture<>();
    final long createdNanos = System.nanoTime();
    /** The connection this call was last written to, so a reconnect knows what to resend. Event loop only. */
    Channel sentOn;
    /** Whether the last write named the region; event loop only. */
    boolean sentShared;
    /** The worker could not read the region: from now on the pixels go inline. Event loop only. */
    boolean regionRefused;

    ScaleCall(ScaleRequest request, String region) {
        this.request = request;
        this.region = region;
    }

    /** The request as a connection gets it: naming the region when that connection shares memory. */
    ScaleRequest requestFor(boolean sharesMemory) {
        if (!sharesMemory || region == null || regionRefused) {
            return request;
        }
        ImageData image = request.image();
        return request.withImage(ImageData.shared(image.format(), image.width(), image.height(), region));
    }
}
