package io.graypipe.protocol.cli;

import io.graypipe.protocol.LinkTls;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * The worker link's TLS flags, one definition for both tiers (a picocli mixin of {@code FrontMain} and
 * {@code WorkerMain}): this side's certificate and key, and the CA the other side's certificate must be signed by.
 * All three make mutual TLS, none plain TCP ({@link LinkTls}).
 */
public final class LinkTlsOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "This side's certificate chain (PEM) on the front-worker link. With --tls-key and --tls-ca: mutual TLS, each side must present a certificate signed by --tls-ca.")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert (PEM, PKCS#8).")
    Path privateKey;

    @Option(names = "--tls-ca", paramLabel = "PEM",
            description = "The CA certificate (PEM) that the other side's certificates must be signed by.")
    Path trustedCa;

    /** The link's TLS, or null for plain TCP; flags given by halves, or unreadable files, are a usage error. */
    public LinkTls linkTls() {
        try {
            return LinkTls.fromFlags(certificate, privateKey, trustedCa);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
