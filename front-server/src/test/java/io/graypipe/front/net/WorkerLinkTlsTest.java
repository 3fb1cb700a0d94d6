package io.graypipe.front.net;

import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.TcpRelay;
import io.graypipe.front.testing.TestCertificates;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerHandshakes;
import io.graypipe.front.testing.WorkerProcess;
import io.graypipe.protocol.Hello;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutual TLS on the worker link ({@code --tls-cert/--tls-key/--tls-ca} on both tiers): a front with a certificate
 * from the link's CA scales through it, and the bytes on the wire are TLS records without the secret; a client
 * without such a certificate, and a client speaking plain TCP, get no protocol byte from the worker.
 */
class WorkerLinkTlsTest {
    private static final String TOKEN = "worker-link-tls-test-token";

    @TempDir
    static Path dir;
    private static TestCertificates.Identity workerIdentity;
    private static TestCertificates.Identity frontIdentity;
    private static TestCertificates.Identity stranger;
    private static Path token;
    private static WorkerProcess worker;

    @BeforeAll
    static void startTlsWorker() throws IOException {
        TestCertificates ca = TestCertificates.create(dir.resolve("ca"));
        workerIdentity = ca.issue("worker");
        frontIdentity = ca.issue("front");
        stranger = TestCertificates.create(dir.resolve("another-ca")).issue("stranger");
        token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        List<String> args = new ArrayList<>(List.of("-n", "1", "--mode", "threads"));
        args.addAll(workerIdentity.flags());
        worker = WorkerProcess.start(0, token, args.toArray(String[]::new));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
    }

    @Test
    @Timeout(120)
    void aFrontWithTheLinksCertificatesScalesAndTheWireShowsOnlyTls() throws Exception {
        InetSocketAddress address = worker.address();
        try (TcpRelay wire = TcpRelay.start(address)) {
            List<String> args = new ArrayList<>(List.of("--worker", wire.address(),
                    "--worker-token-file", token.toString()));
            args.addAll(frontIdentity.flags());
            try (FrontProcess front = FrontProcess.builder().dataDir(dir.resolve("data"))
                    .args(args.toArray(String[]::new)).start()) {
                assertEquals(200, front.post("/process?scale=0.5", TestImages.png(64, 48)).statusCode(),
                        front::output);
            }
            byte[] sent = wire.sentToTarget();
            byte[] received = wire.receivedFromTarget();
            assertEquals(0x16, sent[0], "the front opens with a TLS handshake record");
            assertEquals(0x16, received[0], "the worker answers with one");
            assertEquals(-1, indexOf(sent, TOKEN.getBytes(StandardCharsets.UTF_8)));
            assertEquals(-1, indexOf(sent, WorkerHandshakes.frame(Hello.current(Hello.Role.FRONT, 0, "")), 0, 7),
                    "no clear-text HELLO on the wire");
        }
    }

    @Test
    @Timeout(60)
    void aClientWithoutACertificateFromTheLinksCaGetsNothing() throws Exception {
        assertUntrustedClientsGetNothing(worker.address(), workerIdentity, stranger);
    }

    /**
     * A TLS client that trusts the worker but shows {@code stranger}'s certificate (another CA), and one that
     * shows none, both get no byte of the protocol from the worker at {@code address}.
     */
    static void assertUntrustedClientsGetNothing(InetSocketAddress address, TestCertificates.Identity workerIdentity,
                                                 TestCertificates.Identity stranger) throws Exception {
        assertGetsNoFrame(stranger.tlsClient(workerIdentity.trustedCa()).createSocket(address.getAddress(),
                address.getPort()));
        SSLContext anonymous = ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(workerIdentity.trustedCa().toFile()).endpointIdentificationAlgorithm(null).build())
                .context();
        assertGetsNoFrame(anonymous.getSocketFactory().createSocket(address.getAddress(), address.getPort()));
    }

    @Test
    @Timeout(60)
    void aPlainTcpClientGetsNoProtocolByte() throws Exception {
        assertPlainTcpGetsNoFrame(worker.address());
    }

    /** A HELLO in clear to a TLS worker gets nothing back, or a TLS alert record, never a frame. */
    static void assertPlainTcpGetsNoFrame(InetSocketAddress address) throws IOException {
        try (Socket plain = new Socket(address.getAddress(), address.getPort())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(WorkerHandshakes.frame(Hello.current(Hello.Role.FRONT, 0, "")));
            plain.getOutputStream().flush();
            byte[] answer = readUntilClosed(plain.getInputStream());
            assertTrue(answer.length == 0 || answer[0] == 0x15,
                    "nothing, or a TLS alert record, never a frame; got " + answer.length + " bytes starting "
                            + (answer.length > 0 ? answer[0] : -1));
        }
    }

    /** Writes a HELLO; whatever happens (TLS 1.3 may let the client finish its side first), no frame comes back. */
    private static void assertGetsNoFrame(Socket socket) throws IOException {
        try (socket) {
            socket.setSoTimeout(10_000);
            byte[] answer;
            try {
                socket.getOutputStream().write(WorkerHandshakes.frame(Hello.current(Hello.Role.FRONT, 0, "")));
                socket.getOutputStream().flush();
                answer = readUntilClosed(socket.getInputStream());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the worker neither refused nor closed the connection", e);
            } catch (IOException refused) {
                answer = new byte[0];
            }
            assertEquals(0, answer.length, "no byte of the protocol reaches a client the CA did not sign");
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }


    static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0, needle.length);
    }

    /** Where {@code needle[from, to)} first occurs in {@code haystack}, or -1. */
    static int indexOf(byte[] haystack, byte[] needle, int from, int to) {
        int length = to - from;
        outer:
        for (int i = 0; i + length <= haystack.length; i++) {
            for (int j = 0; j < length; j++) {
                if (haystack[i + j] != needle[from + j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
