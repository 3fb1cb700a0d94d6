package io.graypipe.front;

import io.graypipe.protocol.cli.DurationConverter;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.config.StoreAddress;
import io.graypipe.protocol.cli.HostPortConverter;
import io.graypipe.protocol.cli.LinkTlsOptions;
import io.graypipe.protocol.cli.SharedMemoryOption;
import io.graypipe.protocol.cli.TokenFileOption;
import io.graypipe.protocol.LinkTls;
import io.graypipe.protocol.MessageCodec;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import io.graypipe.protocol.turbojpeg.TurboJpeg;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The front-server command line: the one process clients talk to. */
@Command(name = "graypipe", mixinStandardHelpOptions = true, version = "graypipe 0.1", sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Turns uploaded images to grayscale and scales them down.",
                "Starts its own scale-worker unless --worker names running ones (repeat it for several).",
                "Durations are 500ms, 30s, 2m, or plain seconds (30)."},
        footer = {"", "Example:", "  graypipe -i :: -p 8080",
                "  curl -F image=@photo.jpg 'http://[::1]:8080/process?scale=0.5' -o out.jpg"})
public final class FrontMain implements Callable<Integer> {

    @Option(names = {"-i", "--ip"}, defaultValue = "localhost", paramLabel = "ADDR",
            description = "Address to listen on: an IPv4 or IPv6 literal, :: for both on one dual-stack socket, or a host name (every address it resolves to). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", paramLabel = "PORT",
            description = "TCP port, 0 for any free port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--max-connections", defaultValue = "10000", paramLabel = "N",
            description = "Open client connections at most; past it new ones are closed at once, and the open ones keep being served. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--worker", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "A running scale-worker to use instead of starting one; [IPv6]:PORT for an IPv6 literal. Repeat it for several: each request goes to the one with the least outstanding work per live child.")
    List<InetSocketAddress> workerAddresses = new ArrayList<>();

    @Option(names = "--local-worker",
            description = "Start a worker of this front's own as well as those named by --worker (without --worker, one is always started).")
    boolean localWorker;

    @Mixin
    LinkTlsOptions linkTls;

    @Mixin
    TokenFileOption workerToken;

    @Option(names = {"-n", "--processes"}, paramLabel = "N",
            description = "Child processes of the worker this front starts. Default: available processors.")
    Integer workerProcesses;

    @Option(names = "--worker-mode", defaultValue = "processes", paramLabel = "MODE",
            description = "${COMPLETION-CANDIDATES} (any case): where requests without their own mode run, in the worker this front starts (it keeps both pools). Default: ${DEFAULT-VALUE}.")
    FrontConfig.WorkerMode workerMode;

    @Option(names = "--worker-jvm-options", defaultValue = "-Xms16m -Xmx512m -XX:+UseSerialGC", paramLabel = "OPTIONS",
            description = "JVM options of the worker this front starts. Default: ${DEFAULT-VALUE}.")
    String workerJvmOptions;

    @Mixin
    SharedMemoryOption sharedMemory;

    @Option(names = "--max-upload-bytes", defaultValue = "52428800", paramLabel = "BYTES",
            description = "Largest upload; larger ones get 413 before their body is read. Default: ${DEFAULT-VALUE} (50 MiB).")
    long maxUploadBytes;

    @Option(names = "--upload-memory-threshold", defaultValue = "4194304", paramLabel = "BYTES",
            description = "Uploads larger than this go to a temporary file instead of memory. Default: ${DEFAULT-VALUE} (4 MiB).")
    long uploadMemoryThreshold;

    @Option(names = "--upload-dir", paramLabel = "DIR",
            description = "Directory for uploads past --upload-memory-threshold; created if missing. Every file is deleted once its request ends. Default: graypipe-uploads in the system temp directory.")
    Path uploadDir;

    @Option(names = "--max-pixels", defaultValue = "50000000", paramLabel = "N",
            description = "Largest image in pixels, read from its header before decoding; larger ones get 422. Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(names = "--max-dimension", defaultValue = "20000", paramLabel = "PX",
            description = "Longest side in pixels; longer ones get 422. Default: ${DEFAULT-VALUE}.")
    int maxDimension;

    @Option(names = "--max-header-bytes", defaultValue = "16384", paramLabel = "BYTES",
            description = "Largest request header block; larger ones get 431. Default: ${DEFAULT-VALUE}.")
    int maxHeaderBytes;

    @Option(names = "--queue-size", defaultValue = "64", paramLabel = "N",
            description = "Uploads that may wait for a gray thread; when full, new ones get 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queueSize;

    @Option(names = "--gray-threads", paramLabel = "N",
            description = "Threads that decode and grayscale. Default: available processors.")
    Integer grayThreads;

    @Option(names = "--worker-in-flight", paramLabel = "N",
            description = "Gray images sent to the worker and not yet answered, at most; bounds memory. Default: 2 x processors + 2.")
    Integer workerInFlight;

    @Option(names = "--request-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Deadline of every task, from upload to result; then 504 or a failed task. Default: ${DEFAULT-VALUE}.")
    Duration requestTimeout;

    @Option(names = "--read-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A connection that sends nothing for this long, mid-request or idle, is closed. Default: ${DEFAULT-VALUE}.")
    Duration readTimeout;

    @Option(names = "--receive-timeout", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A request's line, headers and body must all arrive within this long of its first byte, else 408 and the connection closes; stops clients that trickle bytes to stay under --read-timeout. Default: ${DEFAULT-VALUE}.")
    Duration receiveTimeout;

    @Option(names = "--result-ttl", defaultValue = "600s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long finished tasks and their results are kept. Default: ${DEFAULT-VALUE}.")
    Duration resultTtl;

    @Option(names = "--shutdown-grace", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGTERM or Ctrl-C, how long in-flight requests may take to finish. Default: ${DEFAULT-VALUE}.")
    Duration shutdownGrace;

    @Option(names = "--max-frame-bytes", defaultValue = "" + MessageCodec.DEFAULT_MAX_FRAME_BYTES, paramLabel = "BYTES",
            description = "Largest protocol frame to or from the worker. Default: ${DEFAULT-VALUE}.")
    int maxFrameBytes;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where async tasks, their uploads and results are kept, so they survive a restart. Default: graypipe-data in the system temp directory.")
    Path dataDir;

    @Option(names = "--max-data-bytes", defaultValue = "1073741824", paramLabel = "BYTES",
            description = "Uploads and results the data directory may hold; when full, POST /tasks gets 503 storage_full. Default: ${DEFAULT-VALUE} (1 GiB).")
    long maxDataBytes;

    @Option(names = "--store", paramLabel = "redis://[USER:PASSWORD@]HOST:PORT[/DB]",
            converter = StoreAddress.Converter.class,
            description = "Keep async tasks in this Redis, shared with other fronts, instead of the data directory: any front then serves any task, and the tasks of a front that dies are finished by the others. See docs/scale-out.md.")
    StoreAddress store;

    @Option(names = "--claim-idle", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --store: how long a task taken by a front may go without a sign of life before another front takes it over. Default: ${DEFAULT-VALUE}.")
    Duration claimIdle;

    @Option(names = "--cache-size", defaultValue = "268435456", paramLabel = "BYTES",
            description = "Bytes the result cache may hold: files in DATA_DIR/cache, or entries in the Redis of --store; 0 turns the cache off. Default: ${DEFAULT-VALUE} (256 MiB).")
    long cacheSize;

    @Option(names = "--cache-ttl", defaultValue = "1440m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --store: how long a cache entry nobody asks for stays in Redis. Default: ${DEFAULT-VALUE}.")
    Duration cacheTtl;

    @Option(names = "--cache-scope", defaultValue = "shared", paramLabel = "shared|client",
            description = "Whose results a cache hit may come from: shared (any client that sent the same bytes and options) or client (only the same client's). Default: ${DEFAULT-VALUE}.")
    FrontConfig.CacheScope cacheScope;

    @Option(names = "--cache-max-age", defaultValue = "3600s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Cache-Control max-age of POST /process answers. Default: ${DEFAULT-VALUE}.")
    Duration cacheMaxAge;
    @Option(names = "--api-keys", paramLabel = "FILE",
            description = "Clients and their keys (made with scripts/apikey), one per line: NAME SHA256HEX [rate=N] [burst=N] [weight=W]. With it, every route that does work or reads a task needs Authorization: Bearer KEY (or X-API-Key), and tasks belong to their key. Read again when it changes, or on SIGHUP. See docs/many-users.md.")
    Path apiKeys;

    @Option(names = "--metrics-auth",
            description = "With --api-keys: /metrics needs a key too (by default it stays open, like /healthz).")
    boolean metricsAuth;

    @Option(names = "--rate-limit", paramLabel = "IMAGES_PER_SECOND",
            description = "Images per second of each client that has no rate of its own: every address without --api-keys (an IPv6 client by its /64), keys without rate= with it. Default: no limit.")
    Double rateLimit;

    @Option(names = "--rate-burst", paramLabel = "IMAGES",
            description = "Images such a client may send at once above its rate. Default: the rate, rounded up.")
    Long rateBurst;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", converter = io.graypipe.front.config.Cidr.Converter.class,
            description = "A proxy (or block of them, e.g. 10.0.0.0/8) whose X-Forwarded-For names the client; repeat it for several. Anyone else's X-Forwarded-For is ignored.")
    List<io.graypipe.front.config.Cidr> trustedProxies = new ArrayList<>();

    @Option(names = "--client-in-flight", paramLabel = "N",
            description = "Images of one client waiting for or holding a gray thread, at most; past it that client, and only it, gets 503 with Retry-After. Default: half of --queue-size plus --gray-threads.")
    Integer clientInFlight;

    @Option(names = "--fifo-queue",
            description = "Serve the gray queue first come, first served instead of fairly between clients (to compare; see docs/many-users.md).")
    boolean fifoQueue;

    @Spec
    CommandSpec spec;

    @Option(names = "--exact-scaling",
            description = "Decode JPEGs at full size and let the worker area-average from the original, instead of shrink-on-load (libturbojpeg's DCT scaling to the nearest 1/2, 1/4 or 1/8 above the target). Slower; outputs differ by at most a mean of about 2 levels.")
    boolean exactScaling;

    @Option(names = "--turbojpeg-library", defaultValue = TurboJpeg.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libjpeg-turbo's TurboJPEG library (a file name for the dynamic linker, or a path): JPEG shrink-on-load here, and JPEG encoding in the local worker. Without it, or with off, ImageIO decodes and encodes; the log says so once, and /stats shows jpeg_decoder (default: ${DEFAULT-VALUE}).")
    String turbojpegLibrary;

    @Option(names = "--webp-library", defaultValue = WebP.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libwebp (Debian: " + WebP.PACKAGE + "), handed to the local worker, which encodes format=webp with it. Without it, or with off, format=webp answers 501 format_unavailable and format=auto skips WebP; the log says so once (default: ${DEFAULT-VALUE}).")
    String webpLibrary;

    @Option(names = "--avif-library", defaultValue = Avif.DEFAULT_LIBRARY, paramLabel = "LIBRARY|off",
            description = "libavif 0.11 (Debian: " + Avif.PACKAGE + "): AVIF uploads are decoded with it here, and the local worker encodes format=avif with it. Without it, or with off, AVIF uploads are refused, format=avif answers 501 format_unavailable and format=auto skips AVIF (default: ${DEFAULT-VALUE}).")
    String avifLibrary;

    /** The configuration these command-line arguments describe; the way tests build a front, as users do. */
    public static FrontConfig parse(String... args) {
        CommandLine cli = commandLine();
        cli.parseArgs(args);
        return ((FrontMain) cli.getCommand()).toConfig();
    }

    /** The command line as users get it: enum values such as --worker-mode are matched ignoring case. */
    static CommandLine commandLine() {
        return new CommandLine(new FrontMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    private FrontConfig toConfig() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0..65535");
        }
        if (claimIdle.compareTo(Duration.ofMillis(300)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--claim-idle must be at least 300ms");
        }
        if (cacheSize < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cache-size must be 0 (off) or more");
        }
        if (queueSize < 1 || maxUploadBytes < 1 || maxPixels < 1 || maxDimension < 1 || maxDataBytes < 1
                || maxConnections < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "limits, --queue-size and --max-connections must be positive");
        }
        LinkTls tls = linkTls.linkTls();
        if (tls != null && workerAddresses.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tls-cert, --tls-key and --tls-ca secure the links to --worker workers; name at least one");
        }
        if (rateLimit != null && !(rateLimit > 0) || rateBurst != null && rateBurst < 1
                || clientInFlight != null && clientInFlight < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--rate-limit, --rate-burst and --client-in-flight must be positive");
        }
        if (metricsAuth && apiKeys == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-auth needs --api-keys");
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        int gray = grayThreads != null ? grayThreads : cores;
        return new FrontConfig(
                new FrontConfig.Listen(host, port, maxConnections),
                new FrontConfig.Worker(workerAddresses, workerAddresses.isEmpty() || localWorker,
                        workerToken.file(),
                        workerProcesses, workerMode, workerJvmOptions, maxFrameBytes,
                        workerInFlight != null ? workerInFlight : 2 * cores + 2, tls,
                        sharedMemory.directory()),
                new FrontConfig.Uploads(maxUploadBytes, uploadMemoryThreshold,
                        uploadDir != null ? uploadDir : tmp.resolve("graypipe-uploads"), maxHeaderBytes),
                new FrontConfig.Processing(queueSize, gray, maxPixels,
                        maxDimension, exactScaling, turbojpegLibrary, webpLibrary, avifLibrary),
                new FrontConfig.Timeouts(requestTimeout, readTimeout, receiveTimeout, resultTtl, shutdownGrace),
                new FrontConfig.Storage(dataDir != null ? dataDir : tmp.resolve("graypipe-data"), dataDir != null,
                        maxDataBytes, store, claimIdle),
                new FrontConfig.Caching(cacheSize, cacheTtl, cacheScope, cacheMaxAge),
                new FrontConfig.Access(apiKeys, metricsAuth, rateLimit, rateBurst != null ? rateBurst : 0,
                        trustedProxies, clientInFlight != null ? clientInFlight : Math.max(1, queueSize / 2) + gray,
                        fifoQueue));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FrontConfig config = toConfig();
        FrontServer server = FrontServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        if (config.access().apiKeys() != null) {
            // kill -HUP reads the key file again at once (it is also read again whenever it changes).
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> server.reloadKeys());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "front-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        for (InetSocketAddress address : server.addresses()) {
            String ip = io.netty.util.NetUtil.toAddressString(address.getAddress());
            out.println("graypipe front listening on http://" + (ip.contains(":") ? "[" + ip + "]" : ip)
                    + ":" + address.getPort());
        }
        if (config.storage().store() != null) {
            out.println("graypipe task store " + config.storage().store().location());
        } else {
            out.println("graypipe data directory " + server.dataDir());
        }
        out.flush();
        stopped.await();
        return 0;
    }
}
