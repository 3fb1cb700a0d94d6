package io.graypipe.front;

import io.graypipe.protocol.MessageCodec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The front-server command line: the one process clients talk to. */
@Command(name = "graypipe", mixinStandardHelpOptions = true, version = "graypipe 0.1", sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Turns uploaded images to grayscale and scales them down.",
                "Starts its own scale-worker unless --worker names a running one.",
                "Durations are ISO-8601 (PT30S) or plain seconds (30)."},
        footer = {"", "Example:", "  graypipe -i :: -p 8080",
                "  curl -F image=@photo.jpg 'http://[::1]:8080/process?scale=0.5' -o out.jpg"})
public final class FrontMain implements Callable<Integer> {

    @Option(names = {"-i", "--ip"}, defaultValue = "localhost", paramLabel = "ADDR",
            description = "Address to listen on: an IPv4 or IPv6 literal, :: for both on one dual-stack socket, or a host name (every address it resolves to). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", paramLabel = "PORT",
            description = "TCP port, 0 for any free port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--worker", paramLabel = "HOST:PORT",
            description = "A running scale-worker to use instead of starting one.")
    String workerAddress;

    @Option(names = "--worker-token-file", paramLabel = "FILE",
            description = "Token file of the worker named by --worker. Default: graypipe-worker.token in the system temp directory, where a worker creates it.")
    Path workerTokenFile;

    @Option(names = {"-n", "--processes"}, paramLabel = "N",
            description = "Child processes of the worker this front starts. Default: available processors.")
    Integer workerProcesses;

    @Option(names = "--worker-mode", defaultValue = "processes", paramLabel = "MODE",
            description = "processes or threads, for the worker this front starts. Default: ${DEFAULT-VALUE}.")
    String workerMode;

    @Option(names = "--worker-jvm-options", defaultValue = "-Xms32m -Xmx512m -XX:+UseSerialGC", paramLabel = "OPTIONS",
            description = "JVM options of the worker this front starts. Default: ${DEFAULT-VALUE}.")
    String workerJvmOptions;

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

    @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Deadline of every task, from upload to result; then 504 or a failed task. Default: ${DEFAULT-VALUE} s.")
    Duration requestTimeout;

    @Option(names = "--read-timeout", defaultValue = "30", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A connection that sends nothing for this long, mid-request or idle, is closed. Default: ${DEFAULT-VALUE} s.")
    Duration readTimeout;

    @Option(names = "--receive-timeout", defaultValue = "60", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A request's line, headers and body must all arrive within this long of its first byte, else 408 and the connection closes; stops clients that trickle bytes to stay under --read-timeout. Default: ${DEFAULT-VALUE} s.")
    Duration receiveTimeout;

    @Option(names = "--result-ttl", defaultValue = "600", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long finished tasks and their results are kept. Default: ${DEFAULT-VALUE} s.")
    Duration resultTtl;

    @Option(names = "--shutdown-grace", defaultValue = "10", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGTERM or Ctrl-C, how long in-flight requests may take to finish. Default: ${DEFAULT-VALUE} s.")
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

    @Option(names = "--exact-scaling",
            description = "Decode JPEGs at full size and let the worker area-average from the original, instead of shrink-on-load (libturbojpeg's DCT scaling to the nearest 1/2, 1/4 or 1/8 above the target). Slower; outputs differ by at most a mean of about 2 levels.")
    boolean exactScaling;

    /** The configuration these command-line arguments describe; the way tests build a front, as users do. */
    public static FrontConfig parse(String... args) {
        FrontMain main = new FrontMain();
        new CommandLine(main).parseArgs(args);
        return main.toConfig();
    }

    private FrontConfig toConfig() {
        int cores = Runtime.getRuntime().availableProcessors();
        CommandLine cli = new CommandLine(this);
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cli, "--port must be 0..65535");
        }
        if (!workerMode.equals("processes") && !workerMode.equals("threads")) {
            throw new CommandLine.ParameterException(cli, "--worker-mode must be processes or threads");
        }
        if (queueSize < 1 || maxUploadBytes < 1 || maxPixels < 1 || maxDimension < 1 || maxDataBytes < 1) {
            throw new CommandLine.ParameterException(cli, "limits and --queue-size must be positive");
        }
        Path tokenFile = workerTokenFile != null ? workerTokenFile
                : Path.of(System.getProperty("java.io.tmpdir"), "graypipe-worker.token");
        Path spoolDir = uploadDir != null ? uploadDir
                : Path.of(System.getProperty("java.io.tmpdir"), "graypipe-uploads");
        return new FrontConfig(host, port, workerAddress, tokenFile, workerProcesses, workerMode,
                workerJvmOptions, maxUploadBytes, uploadMemoryThreshold, spoolDir, maxPixels, maxDimension, maxHeaderBytes,
                queueSize, grayThreads != null ? grayThreads : cores,
                workerInFlight != null ? workerInFlight : 2 * cores + 2,
                requestTimeout, readTimeout, receiveTimeout, resultTtl, shutdownGrace, maxFrameBytes,
                dataDir != null ? dataDir : Path.of(System.getProperty("java.io.tmpdir"), "graypipe-data"),
                dataDir != null, maxDataBytes, exactScaling);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FrontMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FrontConfig config = toConfig();
        FrontServer server = FrontServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "front-shutdown"));
        for (InetSocketAddress address : server.addresses()) {
            String ip = io.netty.util.NetUtil.toAddressString(address.getAddress());
            System.out.println("graypipe front listening on http://" + (ip.contains(":") ? "[" + ip + "]" : ip)
                    + ":" + address.getPort());
        }
        System.out.println("graypipe data directory " + server.dataDir());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Accepts ISO-8601 durations (PT30S) and plain seconds (30). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
            if (duration.isNegative() || duration.isZero()) {
                throw new CommandLine.TypeConversionException("must be positive: " + value);
            }
            return duration;
        }
    }
}
