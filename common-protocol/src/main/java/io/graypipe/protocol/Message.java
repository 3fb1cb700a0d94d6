package io.graypipe.protocol;

/**
 * One protocol message. Every message travels in exactly one frame; {@link MessageCodec} owns the byte layout.
 */
public sealed interface Message permits Hello, Auth, ScaleRequest, ScaleResult, ErrorMessage, Ping, Pong,
        StatusRequest, WorkerStatus {
}
