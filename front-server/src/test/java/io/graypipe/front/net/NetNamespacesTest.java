package io.graypipe.front.net;

import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.NetNamespaces;
import io.graypipe.front.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multi-host harness itself: two namespaces reach each other over TCP, a cut cable stops that, and closing
 * removes everything, as does the next run for a run that died. Runs only as root; skipped with a note otherwise.
 */
class NetNamespacesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Where {@code ip netns add} keeps a namespace; {@code /sys/class/net} lists this namespace's interfaces. */
    private static final Path NAMESPACES = Path.of("/run/netns");

    @Test
    void twoHostsTalkOverTcpUntilTheCableIsCut() throws Exception {
        NetNamespaces.Host server;
        try (NetNamespaces net = NetNamespaces.create()) {
            server = net.host("redis");
            NetNamespaces.Host client = net.host("client");
            try (RedisServer redis = RedisServer.builder().launcher(net.exec(server)).bind(server.address())
                    .port(6379).start()) {
                assertTrue(redisAnswers(net, client, redis), "a client host reaches Redis on the server host");
                assertTrue(redis.ping(), "the test JVM reaches every host through the switch");

                net.cut(client);
                assertFalse(redisAnswers(net, client, redis), "a cut cable stops the traffic");
                assertTrue(redis.ping(), "cutting one host's cable leaves the others reachable");

                net.restore(client);
                Await.until(WAIT, "the client host to reach Redis again", () -> redisAnswers(net, client, redis));
            }
            assertTrue(Files.exists(NAMESPACES.resolve(server.namespace())));
        }
        assertFalse(Files.exists(NAMESPACES.resolve(server.namespace())), "close() removes the namespaces");
        assertFalse(Files.exists(Path.of("/sys/class/net", "gp" + ProcessHandle.current().pid())),
                "close() removes the JVM's cable");
    }

    @Test
    void aRunThatDiedIsCleanedUpByTheNext() throws Exception {
        NetNamespaces.requireRoot();
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        String leftover = "gpns-" + gone.pid() + "-front";
        Process add = new ProcessBuilder("/usr/sbin/ip", "netns", "add", leftover).inheritIO().start();
        assertEquals(0, add.waitFor());
        assertTrue(Files.exists(NAMESPACES.resolve(leftover)));
        try (NetNamespaces net = NetNamespaces.create()) {
            assertFalse(Files.exists(NAMESPACES.resolve(leftover)), "the dead run's namespace is gone");
            net.host("alive");
        }
    }

    private static boolean redisAnswers(NetNamespaces net, NetNamespaces.Host from, RedisServer redis) {
        try {
            return net.run(from, "timeout", "2", "redis-cli", "-h", redis.host(), "-p", Integer.toString(redis.port()),
                    "PING").output().contains("PONG");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
