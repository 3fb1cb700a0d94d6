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
    /** The API key each accepted task belongs to, where the fronts have keys: only that key may read it. */
    final Map<String, String> ownerKeys = new ConcurrentHashMap<>();
    /** Every answered request: when it started and how long it took (ns since {@link #epoch}), and its status. */
    final java.util.Queue<long[]> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final long epoch = System.nanoTime();
    /** Error answers by status and the error code of their JSON body ("503 storage_unavailable"). */
    final Map<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();
    /** The first few answers of 500 and up other than 503: the request and the body, to say what went wrong. */
    final java.util.List<String> serverErrors = new java.util.concurrent.CopyOnWriteArrayList<>();

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
                case "events" -> events(random.nextBoolean(), null);
                case "bad input" -> badInput(random, null);
                default -> slowClient();
            }
        } catch (IOException e) {
            transportErrors.incrementAndGet();
        }
    }

    private HttpRequest post(String path, byte[] body, String type) {
        return post(path, body, type, null);
    }

    /** A POST with {@code key} as its bearer token when it is not null. */
    HttpRequest post(String path, byte[] body, String type, String key) {
        return authorised(HttpRequest.newBuilder(base.resolve(path)), key).timeout(Duration.ofSeconds(60))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    HttpRequest get(String path, String key) {
        return authorised(HttpRequest.newBuilder(base.resolve(path)), key).timeout(Duration.ofSeconds(60)).GET()
                .build();
    }

    private static HttpRequest.Builder authorised(HttpRequest.Builder request, String key) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        answers.add(new long[]{start - epoch, System.nanoTime() - start, response.statusCode()});
        statuses.computeIfAbsent(response.statusCode(), k -> new AtomicLong()).incrementAndGet();
        if (response.statusCode() >= 400) {
            String code;
            try {
                code = JSON.readTree(response.body()).path("error").path("code").asText("-");
            } catch (IOException notJson) {
                code = "(not JSON)";
            }
            errorCodes.computeIfAbsent(response.statusCode() + " " + code, k -> new AtomicLong()).incrementAndGet();
            if (response.statusCode() >= 500 && response.statusCode() != 503 && serverErrors.size() < 20) {
                serverErrors.add(request.method() + " " + request.uri() + " -> " + response.statusCode() + " "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        return response;
    }

    private String accept(HttpResponse<byte[]> response) throws IOException {
        return accept(response, null);
    }

    /**
     * The id of the task a 202 accepted, alone or as a batch's only file (null for several, or no 202); each task
     * is remembered with its key.
     */
    String accept(HttpResponse<byte[]> response, String key) throws IOException {
        if (response.statusCode() != 202) {
            return null;
        }
        JsonNode body = JSON.readTree(response.body());
        if (body.has("id")) {
            remember(body.get("id").asText(), key);
            return body.get("id").asText();
        }
        String only = null;
        for (JsonNode task : body.path("tasks")) {
            if (task.has("id") && !task.has("error")) {
                remember(task.get("id").asText(), key);
                only = body.path("tasks").size() == 1 ? task.get("id").asText() : null;
            }
        }
        return only;
    }

    private void remember(String id, String key) {
        if (key != null) {
            ownerKeys.put(id, key);
        }
        acceptedTasks.add(id);
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
    void events(boolean abandon, String key) throws IOException, InterruptedException {
        String id = accept(send(post("/tasks?scale=0.5", jpeg, "image/jpeg", key)), key);
        if (id == null) {
            return;
        }
        HttpRequest request = get("/tasks/" + id + "/events", key);
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

    void badInput(Random random, String key) throws IOException, InterruptedException {
        switch (random.nextInt(3)) {
            case 0 -> {
                byte[] noise = new byte[1 + random.nextInt(4096)];
                random.nextBytes(noise);
                send(post("/process", noise, "application/octet-stream", key));
            }
            case 1 -> send(post("/process", java.util.Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg", key));
            default -> send(post("/process?scale=7", jpeg, "image/jpeg", key));
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
        HttpResponse<byte[]> response = http.send(get("/tasks/" + id, ownerKeys.get(id)),
                HttpResponse.BodyHandlers.ofByteArray());
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
