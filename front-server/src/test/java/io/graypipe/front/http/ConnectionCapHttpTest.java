package io.graypipe.front.http;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.TestFront;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.graypipe.front.http.RawHttp.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --max-connections}: past the cap new connections are closed at once; open ones keep being served. */
class ConnectionCapHttpTest {
    private static final byte[] HEALTH = ascii("GET /healthz HTTP/1.1\r\nHost: graypipe\r\n\r\n");
    private static TestFront front;

    @BeforeAll
    static void start() throws Exception {
        front = TestFront.builder().processes(1).maxConnections(2).start();
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
    }

    @Test
    void pastTheCapNewConnectionsAreClosedAndOpenOnesAreServed() {
        try (RawHttp first = new RawHttp(front.address()); RawHttp second = new RawHttp(front.address())) {
            first.write(HEALTH);
            assertEquals(200, first.readResponse().status());
            second.write(HEALTH);
            assertEquals(200, second.readResponse().status());

            try (RawHttp third = new RawHttp(front.address())) {
                third.setReadTimeoutMillis(5000);
                third.tryWrite(HEALTH);
                assertTrue(third.closedByServer(), "a connection past --max-connections is closed at once");
            }

            first.write(HEALTH);
            assertEquals(200, first.readResponse().status(), "an open connection is still served");
        }
        // Both closed: their places free up, and a new client is served again.
        Await.until(Duration.ofSeconds(5), "a new connection to be served once others closed", () -> {
            try (RawHttp again = new RawHttp(front.address())) {
                again.setReadTimeoutMillis(2000);
                if (!again.tryWrite(HEALTH)) {
                    return false;
                }
                try {
                    return again.readResponse().status() == 200;
                } catch (RuntimeException | AssertionError closed) {
                    return false;
                }
            }
        });
    }
}
