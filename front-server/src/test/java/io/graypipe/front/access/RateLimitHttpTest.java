package io.graypipe.front.access;

import io.graypipe.front.testing.Multipart;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits without keys, by address: the 429 and its headers, images counted per file, X-Forwarded-For honoured
 * only from a trusted proxy, and one limit across two fronts that share a Redis.
 */
class RateLimitHttpTest {
    private static final byte[] IMAGE = TestImages.png(40, 30);

    private static HttpResponse<String> upload(TestFront front, String path, String forwardedFor, int files)
            throws IOException, InterruptedException {
        Multipart body = new Multipart();
        for (int i = 0; i < files; i++) {
            body.file("image", "p" + i + ".png", "image/png", IMAGE);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(front.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", body.contentType()).POST(body.publisher());
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return front.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    @Test
    void overItsLimitAClientGets429WithRetryAfterAndTheRateLimitHeaders() throws Exception {
        // 0.5 images a second, 2 at once: an empty bucket takes 4 s to fill, one image 2 s.
        try (TestFront front = TestFront.builder().args("--rate-limit", "0.5", "--rate-burst", "2").start()) {
            HttpResponse<String> first = upload(front, "/process", null, 1);
            assertEquals(200, first.statusCode(), first::body);
            assertEquals("\"images\";q=2;w=4", header(first, "RateLimit-Policy"));
            assertTrue(header(first, "RateLimit").matches("\"images\";r=1;t=[12]"), header(first, "RateLimit"));

            HttpResponse<String> three = upload(front, "/tasks", null, 3);
            assertEquals(429, three.statusCode(), three::body);
            assertTrue(three.body().contains("more than your burst of 2"), three.body());

            HttpResponse<String> second = upload(front, "/process", null, 1);
            assertEquals(200, second.statusCode(), second::body);
            // An untrusted peer's X-Forwarded-For is ignored: it is still the same client.
            HttpResponse<String> limited = upload(front, "/process", "198.51.100.9", 1);
            assertEquals(429, limited.statusCode(), limited::body);
            assertTrue(limited.body().contains("\"code\":\"rate_limited\""), limited.body());
            long retryAfter = Long.parseLong(header(limited, "Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "one image comes back within 2 s: " + retryAfter);
            assertTrue(header(limited, "RateLimit").startsWith("\"images\";r=0;t="), header(limited, "RateLimit"));
            assertEquals("\"images\";q=2;w=4", header(limited, "RateLimit-Policy"));
            // Reads spend nothing but still say where the client stands.
            HttpResponse<String> health = front.get("/stats");
            assertTrue(header(health, "RateLimit").startsWith("\"images\";r=0"), header(health, "RateLimit"));
        }
    }

    @Test
    void aTrustedProxysForwardedForNamesTheClientAndIPv6CountsBySlash64() throws Exception {
        try (TestFront front = TestFront.builder().args("--rate-limit", "0.1", "--rate-burst", "1",
                "--trusted-proxy", "127.0.0.0/8").start()) {
            assertStatus(200, upload(front, "/process", "203.0.113.7", 1));
            assertStatus(429, upload(front, "/process", "203.0.113.7", 1));
            // A client cannot hide behind an address it adds in front of the proxy's: the right-most one counts.
            assertStatus(429, upload(front, "/process", "192.0.2.1, 203.0.113.7", 1));
            assertStatus(200, upload(front, "/process", "203.0.113.8", 1));
            assertStatus(200, upload(front, "/process", "2001:db8:1:2::1", 1));
            assertStatus(429, upload(front, "/process", "2001:db8:1:2:ffff::9", 1), "same /64");
            assertStatus(200, upload(front, "/process", "2001:db8:1:3::1", 1), "another /64");
        }
    }

    @Test
    void twoFrontsOnOneRedisShareTheLimit() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestFront a = TestFront.builder().args("--store", redis.uri(), "--rate-limit", "0.1",
                     "--rate-burst", "3").start();
             TestFront b = TestFront.builder().args("--store", redis.uri(), "--rate-limit", "0.1",
                     "--rate-burst", "3").start()) {
            HttpResponse<String> two = upload(a, "/tasks", null, 2);
            assertEquals(202, two.statusCode(), two::body);
            HttpResponse<String> one = upload(b, "/tasks", null, 1);
            assertEquals(202, one.statusCode(), one::body);
            assertTrue(header(one, "RateLimit").startsWith("\"images\";r=0;"), header(one, "RateLimit"));
            HttpResponse<String> overA = upload(a, "/tasks", null, 1);
            assertEquals(429, overA.statusCode(), overA::body);
            assertFalse(header(overA, "Retry-After").isEmpty());
            assertEquals(429, upload(b, "/tasks", null, 1).statusCode());
        }
    }

    /** The status, with the answer's body and the case in the message when it is another. */
    private static void assertStatus(int expected, HttpResponse<String> response, String... what) {
        assertEquals(expected, response.statusCode(), String.join(" ", what) + ": " + response.body());
    }
}
