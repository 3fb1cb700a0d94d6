package io.graypipe.front;


import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real front on an ephemeral port with its own forked worker of two children, for one test class. */
public final class RunningFront implements AutoCloseable {
    private final FrontServer server;
    private final Path tokenDir;
    public final URI base;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningFront(FrontServer server, Path tokenDir) {
        this.server = server;
        this.tokenDir = tokenDir;
        this.base = URI.create("http://127.0.0.1:" + server.addresses().get(0).getPort());
    }

    public static RunningFront start() throws Exception {
        Path tokenDir = Files.createTempDirectory("graypipe-test");
        FrontConfig config = FrontMain.parse("-i", "127.0.0.1", "-p", "0", "-n", "2",
                "--worker-jvm-options", "-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "--shutdown-grace", "5", "--data-dir", tokenDir.resolve("data").toString());
        FrontServer server = FrontServer.start(config);
        RunningFront front = new RunningFront(server, tokenDir);
        Await.until(Duration.ofSeconds(30), server::workerReady, "the worker to connect");
        return front;
    }

    public URI uri(String path) {
        return base.resolve(path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, Multipart body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (var files = Files.walk(tokenDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
