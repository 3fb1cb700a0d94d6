package io.graypipe.front.worker;

import io.graypipe.protocol.Hello;
import io.netty.channel.Channel;

/**
 * A {@link WorkerClient}'s connection once its handshake is done: the one value its parts read to know whether, and
 * how, they may write to the worker now. A new one is made for each handshake; none survives its connection.
 *
 * @param channel      the connection
 * @param workerHello  the worker's HELLO: what it encodes
 * @param sharesMemory whether both HELLOs agreed on shared memory, so a request may name a region
 */
record WorkerLink(Channel channel, Hello workerHello, boolean sharesMemory) {
}
