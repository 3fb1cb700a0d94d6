package io.graypipe.front.http;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.TestFront;
import io.graypipe.front.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;

import static io.graypipe.front.http.RawHttp.ascii;
import static io.graypipe.front.http.RawHttp.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY protocol: behind a real HAProxy running deploy/haproxy.cfg (send-proxy-v2), two client addresses are
 * two clients, each with its own rate-limit bucket; a v1 header by hand from a trusted peer names the client too;
 * a peer that is not a --trusted-proxy can pose as another neither with a PROXY header (the connection is closed)
 * nor with X-Forwarded-For (ignored). Clients connect from distinct loopback addresses (127.0.0.2, .3, .4).
 */
class ProxyProtocolHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOUNDARY = "proxy-test";
    private static final byte[] UPLOAD = concat(RawHttp.part(BOUNDARY, "image", "a.png", TestImages.png(40, 30)),
            RawHttp.closing(BOUNDARY));
    /** One image, then none for 20 s: a second upload within the test is refused if and only if it is the same client. */
    private static final String[] LIMITS = {"--rate-limit", "0.05", "--rate-burst", "1", "--trusted-proxy",
            "127.0.0.1/32"};

    @Test
    void behindHaproxyTwoClientAddressesAreTwoClientsAndXForwardedForDoesNotMakeAThird() throws Exception {
        try (TestFront front = TestFront.builder().args(LIMITS).start();
             // Both servers of the config are this one front, so every request meets the same buckets.
             LoadBalancer balancer = LoadBalancer.start(front.address(), front.address())) {
            // HAProxy's health checks carry a PROXY header too (LOCAL): the front must take them.
            Await.until(WAIT, "HAProxy to have the front in rotation", () -> balancer.frontsUp() == 2);
            URI uri = balancer.uri("/");
            InetSocketAddress haproxy = new InetSocketAddress(uri.getHost(), uri.getPort());
            InetAddress clientA = InetAddress.getByName("127.0.0.2");
            InetAddress clientB = InetAddress.getByName("127.0.0.3");

            assertEquals(200, upload(haproxy, clientA, null, null).status(), balancer.output());
            RawHttp.Response again = upload(haproxy, clientA, null, null);
            assertEquals(429, again.status(), "the same client address, the same bucket: " + again);
            RawHttp.Response posing = upload(haproxy, clientA, null, "203.0.113.50");
            assertEquals(429, posing.status(), "a client's own X-Forwarded-For is not a trusted hop: " + posing);
            RawHttp.Response other = upload(haproxy, clientB, null, null);
            assertEquals(200, other.status(), "another address is another client, not HAProxy's: " + other);
        }
    }

    @Test
    void onlyATrustedPeerMayNameTheClientWithAProxyHeaderOrXForwardedFor() throws Exception {
        try (TestFront front = TestFront.builder().args(LIMITS).start()) {
            InetAddress trusted = InetAddress.getByName("127.0.0.1");
            InetAddress stranger = InetAddress.getByName("127.0.0.4");
            String v1 = "PROXY TCP4 203.0.113.5 127.0.0.1 40000 8080\r\n";
            assertEquals(200, upload(front.address(), trusted, v1, null).status());
            assertEquals(429, upload(front.address(), trusted, v1, null).status(), "203.0.113.5 again");
            assertEquals(200, upload(front.address(), trusted, "PROXY TCP4 203.0.113.6 127.0.0.1 40001 8080\r\n",
                    null).status(), "another client named by the trusted proxy");

            // A stranger's PROXY header, naming a client with a full bucket: closed, never answered.
            try (RawHttp http = new RawHttp(front.address(), stranger)) {
                http.write(concat(ascii("PROXY TCP4 203.0.113.7 127.0.0.1 40002 8080\r\n"), request(null)));
                assertTrue(http.closedByServer(), "an untrusted PROXY header closes the connection");
            }
            // A stranger's X-Forwarded-For is ignored: it is limited as itself, whatever it names.
            assertEquals(200, upload(front.address(), stranger, null, "203.0.113.8").status());
            RawHttp.Response posing = upload(front.address(), stranger, null, "203.0.113.9");
            assertEquals(429, posing.status(), "X-Forwarded-For from an untrusted peer names nobody: " + posing);
        }
    }

    /** One upload from {@code from}, with a PROXY header first and X-Forwarded-For when given. */
    private static RawHttp.Response upload(InetSocketAddress target, InetAddress from, String proxyHeader,
                                           String forwardedFor) {
        try (RawHttp http = new RawHttp(target, from)) {
            http.write(concat(ascii(proxyHeader == null ? "" : proxyHeader), request(forwardedFor)));
            return http.readResponse();
        }
    }

    private static byte[] request(String forwardedFor) {
        return concat(ascii("POST /process?scale=0.5 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
                + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
                + "Content-Length: " + UPLOAD.length + "\r\n\r\n"), UPLOAD);
    }
}
