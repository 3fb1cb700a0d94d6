package io.graypipe.worker;

import io.graypipe.protocol.SecretFile;
import io.graypipe.protocol.LinkTls;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.cli.DurationConverter;
import io.graypipe.protocol.cli.HostPortConverter;
import io.graypipe.protocol.cli.LinkTlsOptions;
import io.graypipe.protocol.cli.SharedMemoryOption;
import io.graypipe.protocol.cli.TokenFileOption;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import io.graypipe.worker.image.Encoders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/** The scale-worker command line. */
@Command(name = "scale-worker", mixinStandardHelpOptions = true, version = "graypipe scale-worker 0.1",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Scales grayscale images for graypipe fronts, on a pool of child JVMs.",
                "Listens for fronts on a TCP port (loopback unless --listen says otherwise); every connection must prove",
                "it holds the token (HMAC handshake), inside mutual TLS when --tls-cert, --tls-key and --tls-ca are given."})
public final class WorkerMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

    @Option(names = {"-i", "--ip"}, defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Keep it on loopback unless fronts run elsewhere.")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "9090", paramLabel = "PORT",
            description = "TCP port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.Listen.class,
            description = "Address and port to listen on, in one: 0.0.0.0:9090 for every IPv4 interface, [::]:9090 for every interface. Replaces -i and -p. Without it the worker stays on loopback.")
    java.net.InetSocketAddress listen;

    @Mixin
    LinkTlsOptions linkTls;

    @Option(names = {"-n", "--processes"}, paramLabel = "N",
            description = "Child processes that scale, and as many threads in this JVM (default: available processors).")
    Integer processes;

    @Option(names = "--mode", defaultValue = "processes", paramLabel = "MODE",
            description = "${COMPLETION-CANDIDATES}. Where requests without their own mode run; both pools are always started. processes: forked child JVMs, isolated from each other; threads: a thread pool in this JVM (default: ${DEFAULT-VALUE}).")
    WorkerConfig.PoolMode mode;

    @Option(names = "--queue-size", defaultValue = "256", paramLabel = "N",
            description = "Requests that may wait for a free child before new ones are refused (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--max-connections", defaultValue = "64", paramLabel = "N",
            description = "Open connections at most; more are closed at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-frame-bytes", defaultValue = "" + MessageCodec.DEFAULT_MAX_FRAME_BYTES, paramLabel = "BYTES",
            description = "Largest protocol frame accepted (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Mixin
    TokenFileOption token;

    @Option(names = "--previous-token-file", paramLabel = "FILE",
            description = "During a rotation of the secret: a file holding the previous one, still accepted from fronts "
                    + "until the file is emptied or removed. Both files are read again every second (docs/scale-out.md).")
    Path previousTokenFile;

    @Option(names = "--token-stdin",
            description = "Read the token from the first line of stdin and exit when stdin closes. Used by a front that starts its own worker.")
    boolean tokenStdin;

    @Option(names = "--drain-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGTERM, how long accepted requests may take to finish: 500ms, 30s, 2m or plain seconds (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Mixin
    SharedMemoryOption sharedMemory;

    @Option(names = "--turbojpeg-library", defaultValue = TurboJpeg.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libjpeg-turbo's TurboJPEG library (a file name for the dynamic linker, or a path), which encodes gray JPEGs in about half the time of ImageIO. Without it, or with off, ImageIO encodes; the log says which, once (default: ${DEFAULT-VALUE}).")
    String turbojpegLibrary;

    @Option(names = "--webp-library", defaultValue = WebP.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libwebp (Debian: " + WebP.PACKAGE + "), which encodes format=webp. Without it, or with off, this worker refuses WebP requests and tells fronts so in its HELLO (default: ${DEFAULT-VALUE}).")
    String webpLibrary;

    @Option(names = "--avif-library", defaultValue = Avif.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libavif 0.11 (Debian: " + Avif.PACKAGE + "), which encodes format=avif. Without it, or with off, this worker refuses AVIF requests and tells fronts so in its HELLO (default: ${DEFAULT-VALUE}).")
    String avifLibrary;

    @Option(names = "--child-jvm-options", defaultValue = "-Xms16m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=4",
            paramLabel = "OPTIONS", description = "JVM options for each child (default: ${DEFAULT-VALUE}).")
    String childJvmOptions;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as users get it: enum values such as --mode are matched ignoring case. */
    static CommandLine commandLine() {
        return new CommandLine(new WorkerMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The JPEG encoder's library, or null for ImageIO; logged once here, for this JVM and its children. */
    private TurboJpeg jpegEncoder() {
        if (turbojpegLibrary.equalsIgnoreCase("off")) {
            log.info("JPEG encoder: imageio (--turbojpeg-library off)");
            return null;
        }
        StringBuilder whyNot = new StringBuilder();
        TurboJpeg turbo = TurboJpeg.load(turbojpegLibrary, whyNot).orElse(null);
        if (turbo == null) {
            log.warn("JPEG encoder: imageio; {} could not be loaded ({}). Install libjpeg-turbo's TurboJPEG library"
                    + " (Debian: libturbojpeg0) for faster JPEG encoding", turbojpegLibrary, whyNot);
        } else {
            log.info("JPEG encoder: turbojpeg ({})", turbojpegLibrary);
        }
        return turbo;
    }

    /** Every codec library, each logged once here, for this JVM and its children. */
    private Encoders encoders() {
        return new Encoders(jpegEncoder(), encoder("WebP", "--webp-library", webpLibrary, WebP.PACKAGE, WebP::load),
                encoder("AVIF", "--avif-library", avifLibrary, Avif.PACKAGE, Avif::load));
    }

    private static <T> T encoder(String format, String flag, String library, String debianPackage,
                                 BiFunction<String, StringBuilder, Optional<T>> loader) {
        if (library.equalsIgnoreCase("off")) {
            log.info("{} encoder: none ({} off); {} requests are refused", format, flag, format);
            return null;
        }
        StringBuilder whyNot = new StringBuilder();
        T codec = loader.apply(library, whyNot).orElse(null);
        if (codec == null) {
            log.warn("{} encoder: none; {} could not be loaded ({}). {} requests are refused; install {}", format,
                    library, whyNot, format, debianPackage);
        } else {
            log.info("{} encoder: {}", format, library);
        }
        return codec;
    }

    @Override
    public Integer call() throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        WorkerSecrets secrets;
        if (tokenStdin) {
            String line = stdin.readLine();
            if (line == null || line.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--token-stdin: no token on stdin");
            }
            secrets = WorkerSecrets.fixed(line.strip().getBytes(StandardCharsets.UTF_8));
        } else {
            Path file = token.file();
            TokenFiles.createIfMissing(file);
            secrets = WorkerSecrets.files(SecretFile.open(file), previousTokenFile).watch();
            log.info("token file: {}{}", file.toAbsolutePath(), previousTokenFile == null ? ""
                    : ", previous token file: " + previousTokenFile.toAbsolutePath());
        }
        int count = processes != null ? processes : Runtime.getRuntime().availableProcessors();
        if (count < 1 || queueSize < 1 || maxConnections < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--processes, --queue-size and --max-connections must be at least 1");
        }
        LinkTls tls = linkTls.linkTls();
        String listenHost = listen != null ? listen.getHostString() : host;
        int listenPort = listen != null ? listen.getPort() : port;
        WorkerConfig config = new WorkerConfig(listenHost, listenPort, count, mode, queueSize, maxConnections,
                maxFrameBytes, Duration.ofSeconds(5), drainTimeout, childJvmOptions, secrets, tls,
                SharedRegionReader.open(sharedMemory.directory(), true)
                        .orElse(null), encoders());

        WorkerServer server = WorkerServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("graypipe worker listening on " + format(server.address()));
        spec.commandLine().getOut().flush();
        log.info("{} child processes and {} threads, {} by default, queue {}, {}, shared memory {}", count, count,
                mode.label(), queueSize, tls != null ? "mutual TLS" : "plain TCP (HMAC handshake only)",
                config.sharedMemory() != null ? config.sharedMemory().directory() : "off");
        if (tokenStdin) {
            // The front keeps our stdin open for as long as it lives; EOF means it is gone.
            while (stdin.read() >= 0) {
                continue;
            }
            // Nobody is left to read the answers, so there is nothing to drain for: stop the children now.
            log.info("stdin closed: the front that started this worker is gone; exiting");
            server.close(Duration.ZERO);
            System.exit(0);
        }
        stopped.await();
        return 0;
    }

    private static String format(java.net.InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
