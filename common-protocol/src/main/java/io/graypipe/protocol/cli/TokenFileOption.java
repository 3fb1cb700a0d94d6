package io.graypipe.protocol.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The worker link's token file flag, one definition for both tiers (a picocli mixin of {@code FrontMain} and
 * {@code WorkerMain}), with one default: the file a worker creates when it is missing is the one a front reads.
 * Both names work on both tiers; the front's documentation says {@code --worker-token-file}, the worker's
 * {@code --token-file}.
 */
public final class TokenFileOption {
    @Option(names = {"--token-file", "--worker-token-file"}, paramLabel = "FILE",
            description = "File holding the worker link's shared secret (its first line), which a front proves it holds in the handshake. A worker creates it with a random token if it is missing; both tiers read it again every second, so it can be rotated without a restart. Default: graypipe-worker.token in the system temp directory.")
    Path file;

    /** The file given, or the default one in the system temp directory. */
    public Path file() {
        return file != null ? file : Path.of(System.getProperty("java.io.tmpdir"), "graypipe-worker.token");
    }
}
