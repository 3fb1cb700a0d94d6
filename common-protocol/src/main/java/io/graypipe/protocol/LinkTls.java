package io.graypipe.protocol;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Mutual TLS on the front–worker link, from three PEM files: this side's certificate chain, its private key
 * (PKCS#8, as {@code openssl genpkey} writes it) and the CA that signed the other side's certificates. The worker
 * requires a client certificate from that CA; the front accepts only a worker certificate from it. Trust is the
 * CA, not a host name: keep a CA for graypipe's link only, so that holding one of its certificates is what makes a
 * peer a front or a worker. The HMAC handshake of PROTOCOL.md still runs inside, so the shared secret is needed
 * too. Both tiers build their contexts here, so they cannot disagree about protocols or checks.
 */
public record LinkTls(Path certificate, Path privateKey, Path trustedCa) {
    /** TLS 1.3 only: both tiers are graypipe, so there is no older peer to accommodate. */
    private static final List<String> PROTOCOLS = List.of("TLSv1.3");

    /**
     * Null when none of the three is given (plain TCP), the files when all three are; anything in between is a
     * mistake the caller reports with {@code flags} named.
     */
    public static LinkTls fromFlags(Path certificate, Path privateKey, Path trustedCa) {
        int given = (certificate != null ? 1 : 0) + (privateKey != null ? 1 : 0) + (trustedCa != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given != 3) {
            throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together: give all three "
                    + "for mutual TLS on the worker link, or none for plain TCP");
        }
        for (Path file : List.of(certificate, privateKey, trustedCa)) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file + " (a PEM file for the worker link's TLS)");
            }
        }
        return new LinkTls(certificate, privateKey, trustedCa);
    }

    /** The worker's side: presents its certificate and requires one from every front. */
    public SslContext serverContext() throws SSLException {
        return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .trustManager(trustedCa.toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    /** The front's side: presents its certificate and accepts only a worker whose certificate the CA signed. */
    public SslContext clientContext() throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .keyManager(certificate.toFile(), privateKey.toFile())
                .trustManager(trustedCa.toFile())
                // Trust is the link's own CA (above); workers are often named by an address their certificate
                // cannot list in advance (a namespace, a container), so the host name is not checked.
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
