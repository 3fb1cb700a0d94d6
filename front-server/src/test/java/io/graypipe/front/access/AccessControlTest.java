package io.graypipe.front.access;

import io.graypipe.front.config.Cidr;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Who a request is, from its head alone: the two key headers, the metrics switch, and the default limits. */
class AccessControlTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 5000);

    private static FrontConfig.Access config(boolean metricsAuth, Double rate, long burst) {
        return new FrontConfig.Access(null, metricsAuth, rate, burst, List.<Cidr>of(), 8, false);
    }

    @Test
    void withKeysBothHeadersWorkAndMetricsHasItsOwnSwitch(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys"),
                new ApiKey("alice", ApiKey.hash("k1"), 4.0, null, 3).line() + "\n");
        AccessControl open = new AccessControl(ApiKeys.open(file), config(false, null, 0));
        AccessControl closed = new AccessControl(ApiKeys.open(file), config(true, null, 0));

        AccessControl.Admission bearer = open.admit("/process", "Bearer k1", null, PEER, List.of());
        assertEquals("alice", bearer.client().name());
        assertEquals(3, bearer.client().weight());
        assertEquals(new RateLimits.Limit(4.0, 4), bearer.limit(), "burst defaults to the rate");
        assertEquals("alice", open.admit("/stats", null, "k1", PEER, List.of()).client().name());
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(FrontException.class,
                () -> open.admit("/stats", "Bearer k2", null, PEER, List.of())).code());

        assertEquals("anonymous", open.admit("/metrics", null, null, PEER, List.of()).client().name());
        assertThrows(FrontException.class, () -> closed.admit("/metrics", null, null, PEER, List.of()));
        assertEquals("alice", closed.admit("/metrics", "bearer k1", null, PEER, List.of()).client().name());
        assertEquals("anonymous", closed.admit("/healthz", null, null, PEER, List.of()).client().name());
    }

    @Test
    void aKeysLimitIsMadeOncePerReadAndFollowsTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys"),
                new ApiKey("alice", ApiKey.hash("k1"), 4.0, null, 1).line() + "\n");
        ApiKeys keys = ApiKeys.open(file);
        AccessControl access = new AccessControl(keys, config(false, 2.0, 0));

        RateLimits.Limit first = access.admit("/process", "Bearer k1", null, PEER, List.of()).limit();
        assertSame(first, access.admit("/process", null, "k1", PEER, List.of()).limit(),
                "the same key gets the same limit, its texts made once");
        assertEquals("\"images\";q=4;w=1", first.policy());

        Files.writeString(file, new ApiKey("alice", ApiKey.hash("k1"), 10.0, 30L, 1).line() + "\n"
                + new ApiKey("bob", ApiKey.hash("k2"), null, null, 1).line() + "\n");
        keys.reload();
        RateLimits.Limit changed = access.admit("/process", "Bearer k1", null, PEER, List.of()).limit();
        assertEquals(new RateLimits.Limit(10.0, 30), changed, "a changed line gives its new limit at once");
        assertEquals("\"images\";q=30;w=3", changed.policy());
        assertEquals(new RateLimits.Limit(2.0, 2), access.admit("/process", "Bearer k2", null, PEER, List.of())
                .limit(), "a key without a rate has the front's default");
    }

    @Test
    void withoutKeysEveryoneIsAnonymousByAddressAndLimitedOnlyWithRateLimit() {
        AccessControl unlimited = new AccessControl(null, config(false, null, 0));
        AccessControl.Admission plain = unlimited.admit("/process", "Bearer whatever", null, PEER, List.of());
        assertEquals("anonymous", plain.client().name());
        assertEquals("192.0.2.10", plain.client().address());
        assertNull(plain.limit());

        AccessControl limited = new AccessControl(null, config(false, 2.5, 10));
        assertEquals(new RateLimits.Limit(2.5, 10), limited.admit("/tasks", null, null,
                new InetSocketAddress("2001:db8:a:b:1:2:3:4", 1), List.of()).limit());
        assertEquals("2001:db8:a:b::/64", limited.admit("/tasks", null, null,
                new InetSocketAddress("2001:db8:a:b:1:2:3:4", 1), List.of()).client().address());
    }
}
