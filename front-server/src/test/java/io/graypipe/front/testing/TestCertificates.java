package io.graypipe.front.testing;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and the certificates it signs, made with the {@code openssl} command as an operator would (the
 * commands docs/scale-out.md shows): EC P-256 keys in PKCS#8 PEM, valid for a day. Each {@link #create} is a new
 * CA, so a second one makes certificates the first does not trust. Skips the calling test where {@code openssl} is
 * missing, or fails it where {@code GRAYPIPE_REQUIRE_OPENSSL} is set.
 *
 * <pre>
 * TestCertificates ca = TestCertificates.create(dir);
 * TestCertificates.Identity worker = ca.issue("worker");
 * WorkerProcess.start(0, token, worker.flags().toArray(String[]::new));
 * </pre>
 */
public final class TestCertificates {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private final Path dir;
    private final Path caCertificate;
    private final Path caKey;

    /** A certificate, its key, and the CA this side trusts: the three {@code --tls-*} flags. */
    public record Identity(Path certificate, Path key, Path trustedCa) {
        public List<String> flags() {
            return List.of("--tls-cert", certificate.toString(), "--tls-key", key.toString(),
                    "--tls-ca", trustedCa.toString());
        }

        /**
         * Client sockets that show this certificate and trust {@code serverCa}, without a host name check (the link
         * trusts its CA, not names), as a front's link does; for tests that speak to a worker by hand.
         */
        public SSLSocketFactory tlsClient(Path serverCa) throws IOException {
            return ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .keyManager(certificate.toFile(), key.toFile())
                    .trustManager(serverCa.toFile()).endpointIdentificationAlgorithm(null).build()).context()
                    .getSocketFactory();
        }
    }

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCertificate = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA in {@code dir} (created if missing). */
    public static TestCertificates create(Path dir) throws IOException {
        ExternalTools.require(Files.isExecutable(OPENSSL), "GRAYPIPE_REQUIRE_OPENSSL",
                OPENSSL + " is missing; install the openssl package to run the TLS tests");
        Files.createDirectories(dir);
        TestCertificates ca = new TestCertificates(dir);
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.caKey.toString(), "-out", ca.caCertificate.toString(), "-days", "1",
                "-subj", "/CN=graypipe test CA " + dir.getFileName());
        return ca;
    }

    /** A certificate for {@code name}, signed by this CA, usable by a front (client) and a worker (server). */
    public Identity issue(String name) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".pem");
        Path extensions = Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey",
                caKey.toString(), "-CAcreateserial", "-days", "1", "-extfile", extensions.toString(),
                "-out", certificate.toString());
        return new Identity(certificate, key, caCertificate);
    }

    private static void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running openssl", e);
        }
    }
}
