package io.graypipe.front.pipeline;

import io.graypipe.front.task.ClientId;

/**
 * Work queued for a client, with its estimated cost: what {@link FairQueue} serves by. The cost is the upload's
 * size in bytes, known before its header is read; it stands for the decode's work well enough to share by.
 */
public record ClientWork(ClientId client, long cost, Runnable work) implements Runnable {
    @Override
    public void run() {
        work.run();
    }
}
