package io.graypipe.protocol;

/**
 * What a link handshake handler ({@link ClientHandshakeHandler}, {@link ServerHandshakeHandler}) fires as a user
 * event once the handshake of PROTOCOL.md is over, the way Netty's {@code SslHandler} fires
 * {@code SslHandshakeCompletionEvent}: the handlers after it learn the outcome there, and see no message before it.
 *
 * @param local       the HELLO this side sent; null on failure
 * @param peer        the HELLO the other side sent, whose proof checked out; null on failure
 * @param secretIndex which of the accepted secrets the front's proof was made with (0 the current one, 1 the
 *                    previous one during a rotation); always 0 on the front's side
 * @param failure     why the handshake failed, for logs and {@code /readyz}; null when it succeeded
 * @param refusal     the ERROR the peer refused the connection with, when that is why it failed; else null
 */
public record HandshakeCompletionEvent(Hello local, Hello peer, int secretIndex, String failure,
                                       ErrorMessage refusal) {

    static HandshakeCompletionEvent succeeded(Hello local, Hello peer, int secretIndex) {
        return new HandshakeCompletionEvent(local, peer, secretIndex, null, null);
    }

    static HandshakeCompletionEvent failed(String why) {
        return new HandshakeCompletionEvent(null, null, 0, why, null);
    }

    static HandshakeCompletionEvent refused(ErrorMessage refusal) {
        return new HandshakeCompletionEvent(null, null, 0, refusedBy(refusal), refusal);
    }

    /** What a peer's connection-wide ERROR means for this side, during the handshake or after it. */
    public static String refusedBy(ErrorMessage refusal) {
        return "the worker closed the connection: " + refusal.code().label() + ": " + refusal.message();
    }

    public boolean isSuccess() {
        return failure == null;
    }

    /** Whether both HELLOs agreed on shared memory (same feature, same host id): rasters may then stay in regions. */
    public boolean sharesMemory() {
        return isSuccess() && local.sharesMemoryWith(peer);
    }
}
