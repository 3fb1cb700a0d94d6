package io.graypipe.front.deploy;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/haproxy.cfg, checked by haproxy itself and run in front of two real fronts. */
class HaproxyConfigTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theConfigIsValidWithTheDefaultsAndWithChosenAddresses() throws Exception {
        Map.Entry<Integer, String> defaults = LoadBalancer.check(Map.of());
        assertEquals(0, defaults.getKey(), defaults.getValue());
        Map.Entry<Integer, String> chosen = LoadBalancer.check(LoadBalancer.environment(
                new InetSocketAddress("0.0.0.0", 18080), new InetSocketAddress("10.231.1.2", 8080),
                new InetSocketAddress("10.231.1.3", 8080), new InetSocketAddress("127.0.0.1", 18404)));
        assertEquals(0, chosen.getKey(), chosen.getValue());
    }

    @Test
    void requestsReachAnyLiveFrontAndWithNoneHaproxyAnswersJson() throws Exception {
        List<TestFront> running = new ArrayList<>();
        try {
            // HAProxy (127.0.0.1) sends the PROXY protocol, which a front reads only from a trusted proxy.
            TestFront a = TestFront.builder().args("--trusted-proxy", "127.0.0.1/32").start();
            running.add(a);
            TestFront b = TestFront.builder().args("--trusted-proxy", "127.0.0.1/32").start();
            running.add(b);
            try (LoadBalancer balancer = LoadBalancer.start(a.address(), b.address())) {
                Await.until(WAIT, "HAProxy to have both fronts in rotation", () -> balancer.frontsUp() == 2);
                assertEquals(200, get(balancer, "/readyz").statusCode(), balancer.output());
                for (int i = 0; i < 4; i++) {
                    assertEquals(200, process(balancer).statusCode(), "through HAProxy: " + balancer.output());
                }

                stop(running, a);
                for (int i = 0; i < 4; i++) {
                    HttpResponse<byte[]> answer = process(balancer);
                    assertEquals(200, answer.statusCode(), "a dead front refuses connections, which go to the other: "
                            + new String(answer.body(), StandardCharsets.UTF_8) + balancer.output());
                }

                stop(running, b);
                Await.until(WAIT, "HAProxy to mark both fronts down", () -> balancer.frontsUp() == 0);
                HttpResponse<String> none = get(balancer, "/readyz");
                assertTrue(none.body().contains("\"code\": \"front_unavailable\""), none.body());
                assertEquals("application/json", none.headers().firstValue("Content-Type").orElse(""));
                assertEquals("1", none.headers().firstValue("Retry-After").orElse(""));
            }
        } finally {
            for (TestFront front : running) {
                front.close();
            }
        }
    }

    /** Closes {@code front} once: TestFront.close() may not be called twice. */
    private static void stop(List<TestFront> running, TestFront front) throws IOException {
        running.remove(front);
        front.close();
    }

    private HttpResponse<String> get(LoadBalancer balancer, String path) {
        try {
            return http.send(HttpRequest.newBuilder(balancer.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpResponse<byte[]> process(LoadBalancer balancer) throws IOException, InterruptedException {
        Multipart body = new Multipart().file("image", "a.png", "image/png", TestImages.png(64, 48));
        return http.send(HttpRequest.newBuilder(balancer.uri("/process?scale=0.5")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
