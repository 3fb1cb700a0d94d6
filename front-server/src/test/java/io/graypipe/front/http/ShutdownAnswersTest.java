package io.graypipe.front.http;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping the front (what SIGTERM does) while an upload is only half received: the upload still gets a complete
 * HTTP answer with {@code Connection: close}, its result when the rest arrives within the grace period, 503 with
 * {@code Retry-After} when it does not. The body is sent by hand over a socket, slowly, as a client on a slow link.
 */
class ShutdownAnswersTest {
    private static final int PACE_MILLIS = 40;
    private static byte[] image;
    /** The front's close, run on another thread once half the body is in. */
    private CompletableFuture<Void> stopping;

    @BeforeAll
    static void makeImage() {
        image = TestImages.noisePng(1200, 1200);
    }

    @Test
    @Timeout(60)
    void anUploadThatFinishesWithinTheGracePeriodGetsItsResult() throws Exception {
        TestFront front = TestFront.builder().shutdownGrace(Duration.ofSeconds(20)).start();
        try (RawHttp http = new RawHttp(front.address())) {
            CompletableFuture<RawHttp.Response> answer = sendHalfThenStop(http, front);
            // The rest in 16 pieces, as a slow client sends it, well within the grace period.
            sendRest(http, answer, image.length / 16);
            RawHttp.Response response = answer.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.status(), () -> "the upload got " + response);
            assertEquals("image/png", response.header("Content-Type"));
            assertEquals("close", response.header("Connection"));
            assertEquals(600, TestImages.decode(response.body()).getWidth());
        } finally {
            stop(front);
        }
    }

    @Test
    @Timeout(60)
    void anUploadStillArrivingAfterTheGracePeriodGets503WithRetryAfter() throws Exception {
        TestFront front = TestFront.builder().shutdownGrace(Duration.ofSeconds(1)).start();
        try (RawHttp http = new RawHttp(front.address())) {
            CompletableFuture<RawHttp.Response> answer = sendHalfThenStop(http, front);
            // The rest trickles in far slower than the grace period allows; the answer must not wait for it.
            sendRest(http, answer, 4096);
            RawHttp.Response response = answer.get(30, TimeUnit.SECONDS);
            assertEquals(503, response.status(), () -> "the upload got " + response);
            assertEquals("worker_unavailable", response.errorCode());
            assertNotNull(response.header("Retry-After"), "a 503 says when to retry");
            assertEquals("close", response.header("Connection"));
        } finally {
            stop(front);
        }
    }

    /**
     * Sends the request head and the first half of the image, stops the front on another thread, and waits until
     * it no longer accepts connections. Returns the answer, read on another thread while the caller sends the rest.
     */
    private CompletableFuture<RawHttp.Response> sendHalfThenStop(RawHttp http, TestFront front) {
        http.write(RawHttp.ascii("POST /process?format=png&scale=0.5 HTTP/1.1\r\nHost: test\r\n"
                + "Content-Type: image/png\r\nContent-Length: " + image.length + "\r\n\r\n"));
        http.write(Arrays.copyOf(image, image.length / 2));
        CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(http::readResponse);
        InetSocketAddress address = front.address();
        stopping = CompletableFuture.runAsync(() -> {
            try {
                front.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Await.until(Duration.ofSeconds(10), "the front to stop accepting connections", () -> !accepts(address));
        assertTrue(!answer.isDone(), "the upload was answered before its body arrived: " + answer.getNow(null));
        return answer;
    }

    /**
     * Sends the second half of the image in pieces of {@code piece} bytes, one every {@link #PACE_MILLIS}, on
     * another thread (a blocked write cannot be interrupted; closing the socket ends it), until it is all sent, the
     * answer came, or the server closed the connection.
     */
    private static void sendRest(RawHttp http, CompletableFuture<RawHttp.Response> answer, int piece) {
        CompletableFuture.runAsync(() -> {
            for (int from = image.length / 2; from < image.length && !answer.isDone(); from += piece) {
                if (!http.tryWrite(Arrays.copyOfRange(image, from, Math.min(image.length, from + piece)))) {
                    return;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(PACE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void stop(TestFront front) throws Exception {
        if (stopping == null) {
            front.close();
        } else {
            stopping.get(30, TimeUnit.SECONDS);
        }
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket probe = new Socket(address.getAddress(), address.getPort())) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
