package io.graypipe.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest {
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);

    @Test
    void eachSideVerifiesTheOthersProof() {
        Hello front = Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, "h1");
        Hello worker = Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY, "h1");
        Auth frontProof = Handshake.proof(SECRET, Hello.Role.FRONT, front, worker);
        Auth workerProof = Handshake.proof(SECRET, Hello.Role.WORKER, front, worker);
        assertTrue(Handshake.verify(SECRET, Hello.Role.FRONT, front, worker, frontProof));
        assertTrue(Handshake.verify(SECRET, Hello.Role.WORKER, front, worker, workerProof));
        assertFalse(Handshake.verify(SECRET, Hello.Role.WORKER, front, worker, frontProof),
                "a front's proof cannot be reflected back as the worker's");
    }

    @Test
    void aWrongSecretFails() {
        Hello front = Hello.current(Hello.Role.FRONT, 0, "");
        Hello worker = Hello.current(Hello.Role.WORKER, 0, "");
        Auth forged = Handshake.proof("wrong".getBytes(StandardCharsets.UTF_8), Hello.Role.FRONT, front, worker);
        assertFalse(Handshake.verify(SECRET, Hello.Role.FRONT, front, worker, forged));
    }

    @Test
    void aReplayedProofFailsAgainstAFreshWorkerNonce() {
        Hello front = Hello.current(Hello.Role.FRONT, 0, "");
        Hello recordedWorker = Hello.current(Hello.Role.WORKER, 0, "");
        Auth recorded = Handshake.proof(SECRET, Hello.Role.FRONT, front, recordedWorker);
        Hello freshWorker = Hello.current(Hello.Role.WORKER, 0, "");
        assertFalse(Handshake.verify(SECRET, Hello.Role.FRONT, front, freshWorker, recorded));
    }

    @Test
    void theProofCoversFeaturesAndHost() {
        Hello front = Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, "h1");
        Hello worker = Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY, "h1");
        Hello downgraded = new Hello(front.version(), front.role(), 0, front.nonce(), front.hostId());
        Hello otherHost = new Hello(front.version(), front.role(), front.features(), front.nonce(), "h2");
        byte[] genuine = Handshake.proof(SECRET, Hello.Role.FRONT, front, worker).mac();
        assertNotEquals(java.util.HexFormat.of().formatHex(genuine),
                java.util.HexFormat.of().formatHex(Handshake.proof(SECRET, Hello.Role.FRONT, downgraded, worker).mac()));
        assertNotEquals(java.util.HexFormat.of().formatHex(genuine),
                java.util.HexFormat.of().formatHex(Handshake.proof(SECRET, Hello.Role.FRONT, otherHost, worker).mac()));
        assertArrayEquals(genuine, Handshake.proof(SECRET, Hello.Role.FRONT, front, worker).mac(), "deterministic");
    }

    @Test
    void sharedMemoryNeedsBothFeaturesAndOneHost() {
        Hello a = Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, "h1");
        assertTrue(a.sharesMemoryWith(Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY, "h1")));
        assertFalse(a.sharesMemoryWith(Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY, "h2")));
        assertFalse(a.sharesMemoryWith(Hello.current(Hello.Role.WORKER, 0, "h1")));
        assertFalse(Hello.current(Hello.Role.FRONT, Hello.FEATURE_SHARED_MEMORY, "")
                .sharesMemoryWith(Hello.current(Hello.Role.WORKER, Hello.FEATURE_SHARED_MEMORY, "")));
    }

    @Test
    void anEmptySecretIsRefused() {
        Hello front = Hello.current(Hello.Role.FRONT, 0, "");
        assertThrows(IllegalArgumentException.class,
                () -> Handshake.proof(new byte[0], Hello.Role.FRONT, front, front));
    }
}
