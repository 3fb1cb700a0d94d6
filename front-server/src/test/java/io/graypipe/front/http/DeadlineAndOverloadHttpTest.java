package io.graypipe.front.http;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.graypipe.front.http.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request deadline (504 or a failed task) and the bounded queue (503 with Retry-After), each on its own front. */
class DeadlineAndOverloadHttpTest {

    @Test
    void aTaskPastItsDeadlineIs504OrAFailedTask() throws Exception {
        // Shorter than any decode: every task misses it, deterministically.
        try (TestFront front = TestFront.builder().requestTimeout(Duration.ofMillis(1)).start()) {
            byte[] jpeg = TestImages.jpeg(800, 600);

            RawHttp.Response sync = RawHttp.exchange(front.address(), post("/process", "image/jpeg", jpeg));
            assertEquals(504, sync.status(), sync::toString);
            assertEquals("deadline_exceeded", sync.errorCode());

            RawHttp.Response accepted = RawHttp.exchange(front.address(), post("/tasks", "image/jpeg", jpeg));
            assertEquals(202, accepted.status(), accepted::toString);
            String id = accepted.json().path("id").asText();
            Await.until(Duration.ofSeconds(5), "the task to fail", () -> "failed".equals(
                    RawHttp.get(front.address(), "/tasks/" + id).json().path("status").asText()));
            RawHttp.Response result = RawHttp.get(front.address(), "/tasks/" + id + "/result");
            assertEquals(504, result.status(), result::toString);
            assertEquals("deadline_exceeded", result.errorCode());
            assertEquals(200, RawHttp.get(front.address(), "/healthz").status());
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndNothingElseFails() throws Exception {
        try (TestFront front = TestFront.builder().grayThreads(1).queueSize(1).workerInFlight(1).start()) {
            byte[] jpeg = TestImages.jpeg(2400, 1800);
            int clients = 12;

            List<RawHttp.Response> responses = burst(front.address(), post("/process", "image/jpeg", jpeg), clients);

            long ok = responses.stream().filter(r -> r.status() == 200).count();
            List<RawHttp.Response> busy = responses.stream().filter(r -> r.status() == 503).toList();
            assertEquals(clients, ok + busy.size(), () -> "only 200 or 503: " + responses);
            assertTrue(ok >= 1, () -> "some uploads are served: " + responses);
            assertTrue(busy.size() >= clients - 4, () -> "1 thread + 1 queue slot cannot take a burst of "
                    + clients + ": " + responses);
            for (RawHttp.Response response : busy) {
                assertEquals("overloaded", response.errorCode());
                assertNotNull(response.header("retry-after"), "503 carries Retry-After");
            }
            assertEquals(200, RawHttp.exchange(front.address(), post("/process", "image/jpeg", jpeg)).status(),
                    "once the burst is over, uploads are served again");
        }
    }

    /** Sends {@code request} from {@code clients} connections at once: all are connected before any writes. */
    private static List<RawHttp.Response> burst(InetSocketAddress address, byte[] request, int clients) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try (RawHttp http = new RawHttp(address)) {
                        ready.countDown();
                        go.await();
                        http.write(request);
                        return http.readResponse();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            go.countDown();
            List<RawHttp.Response> responses = new ArrayList<>();
            for (CompletableFuture<RawHttp.Response> answer : answers) {
                responses.add(answer.get(60, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            threads.shutdownNow();
        }
    }
}
