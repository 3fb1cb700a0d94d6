package io.graypipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's mixed traffic, one operation per {@link #step} call: synchronous uploads, asynchronous uploads whose
 * ids are kept for the final accounting, batches, event streams read to the end or abandoned after the first
 * event, bad inputs (random bytes, a cut JPEG, a bad parameter) and slow clients that send a request a few bytes
 * at a time. Every status code is counted; every accepted task id is remembered.
 */
final class SoakTraffic {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final byte[] jpeg;
    private final byte[] png;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> operations = new ConcurrentHashMap<>();
    final Set<String> acceptedTasks = new ConcurrentSkipListSet<>();
    final AtomicLong transportErrors = new AtomicLong();

    SoakTraffic(URI base, byte[] jpeg, byte[] png) {
        this.base = base;
        this.jpeg = jpeg;
        this.png = png;
    }

    void step(Random random) throws InterruptedException {
        int pick = random.nextInt(100);
        String operation = pick < 30 ? "sync" : pick < 55 ? "async" : pick < 65 ? "batch" : pick < 80 ? "events"
                : pick < 95 ? "bad input" : "slow client";
        operations.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        try {
            switch (operation) {
                case "sync" -> send(post("/process?scale=0.5", random.nextBoolean() ? jpeg : png, "image/jpeg"));
                case "async" -> accept(send(post("/tasks?scale=0.25&format=png", jpeg, "image/jpeg")));
                case "batch" -> batch();
                case "events" -> events(random.nextBoolean());
                case "bad input" -> badInput(random);
                default -> slowClient();
            }
        } catch (IOException e) {
            transportErrors.incrementAndGet();
        }
    }

    private HttpRequest post(String path, byte[] body, String type) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        statuses.computeIfAbsent(response.statusCode(), k -> new AtomicLong()).incrementAndGet();
        return response;
    }

    private String accept(HttpResponse<byte[]> response) throws IOException {
        if (response.statusCode() != 202) {
            return null;
        }
        JsonNode body = JSON.readTree(response.body());
        if (body.has("id")) {
            acceptedTasks.add(body.get("id").asText());
            return body.get("id").asText();
        }
        for (JsonNode task : body.path("tasks")) {
            if (task.has("id") && !task.has("error")) {
                acceptedTasks.add(task.get("id").asText());
            }
        }
        return null;
    }

    private void batch() throws IOException, InterruptedException {
        String boundary = "soak-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"f" + i
                    + ".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(i == 1 ? png : jpeg);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        accept(send(post("/tasks?scale=0.5", body.toByteArray(), "multipart/form-data; boundary=" + boundary)));
    }

    /** Submits a task and follows its event stream, to the end or only until the first bytes arrive. */
    private void events(boolean abandon) throws IOException, InterruptedException {
        String id = accept(send(post("/tasks?scale=0.5", jpeg, "image/jpeg")));
        if (id == null) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/tasks/" + id + "/events"))
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        statuses.computeIfAbsent(response.statusCode(), k -> new AtomicLong()).incrementAndGet();
        try (InputStream in = response.body()) {
            if (abandon) {
                in.read(); // one byte, then hang up mid-stream
            } else {
                in.readAllBytes();
            }
        }
    }

    private void badInput(Random random) throws IOException, InterruptedException {
        switch (random.nextInt(3)) {
            case 0 -> {
                byte[] noise = new byte[1 + random.nextInt(4096)];
                random.nextBytes(noise);
                send(post("/process", noise, "application/octet-stream"));
            }
            case 1 -> send(post("/process", java.util.Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg"));
            default -> send(post("/process?scale=7", jpeg, "image/jpeg"));
        }
    }

    /** A raw request sent a few bytes every 100 ms: the headers first, then the body. */
    private void slowClient() throws IOException, InterruptedException {
        byte[] head = ("POST /process?scale=0.5 HTTP/1.1\r\nHost: soak\r\nContent-Type: image/png\r\nContent-Length: "
                + png.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(head);
        whole.writeBytes(png);
        byte[] request = whole.toByteArray();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            int chunk = Math.max(16, request.length / 20);
            for (int p = 0; p < request.length; p += chunk) {
                out.write(request, p, Math.min(chunk, request.length - p));
                out.flush();
                Thread.sleep(100); // the point of a slow client: it really is slow
            }
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            if (statusLine.length() == 12) {
                statuses.computeIfAbsent(Integer.parseInt(statusLine.substring(9, 12)), k -> new AtomicLong())
                        .incrementAndGet();
            }
        }
    }

    /** The task's final status ("done", or "failed:code") or its current one, or "missing:HTTP". */
    String taskState(String id) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve("/tasks/" + id))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return "missing:" + response.statusCode();
        }
        JsonNode task = JSON.readTree(response.body());
        String status = task.path("status").asText();
        if (status.equals("failed")) {
            return "failed:" + task.path("error").path("code").asText("");
        }
        return status;
    }
}
