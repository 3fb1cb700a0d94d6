package io.graypipe.front.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.NetNamespaces;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestCertificates;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three hosts in network namespaces: two workers listening on their own address with mutual TLS, one front
 * connected to both through the switch; the test JVM is the client. Pulling one worker host's cable in the middle
 * of a load loses nothing: after the heartbeat timeout (15 s) its requests move to the other worker. Runs only as
 * root; skipped with a note otherwise.
 */
class MultiHostWorkersTest {
    private static final byte[] IMAGE = TestImages.write(TestImages.noisyPhoto(1200, 900, 5), "png");
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final int PORT = 9090;

    @TempDir
    Path dir;

    @Test
    @Timeout(400)
    void cuttingOneWorkerHostMidLoadLosesNothingAndTheOtherTakesOver() throws Exception {
        try (NetNamespaces net = NetNamespaces.create()) {
            NetNamespaces.Host host1 = net.host("worker-1");
            NetNamespaces.Host host2 = net.host("worker-2");
            NetNamespaces.Host frontHost = net.host("front");
            TestCertificates ca = TestCertificates.create(dir.resolve("ca"));
            TestCertificates.Identity workerIdentity = ca.issue("worker");
            TestCertificates.Identity frontIdentity = ca.issue("front");
            Path token = Files.writeString(dir.resolve("token"), "multi-host-test-token\n");
            String a = host1.address() + ":" + PORT;
            String b = host2.address() + ":" + PORT;
            try (WorkerProcess worker1 = startWorker(net, host1, token, workerIdentity);
                 WorkerProcess worker2 = startWorker(net, host2, token, workerIdentity)) {
                List<String> args = new ArrayList<>(List.of("--worker", a, "--worker", b,
                        "--worker-token-file", token.toString(), "--request-timeout", "120s",
                        "--worker-in-flight", "6"));
                args.addAll(frontIdentity.flags());
                try (FrontProcess front = FrontProcess.builder().launcher(net.exec(frontHost))
                        .listenOn(frontHost.address(), 1).dataDir(dir.resolve("data"))
                        .args(args.toArray(String[]::new)).start()) {
                    Await.until(WAIT, "both workers to be connected through TLS and the handshake",
                            () -> front.workerStats(a).get("connected").asBoolean()
                                    && front.workerStats(b).get("connected").asBoolean());
                    WorkerLinkTlsTest.assertPlainTcpGetsNoFrame(worker1.address());

                    TaskLedger ledger = new TaskLedger();
                    for (int i = 0; i < 30; i++) {
                        ledger.submit(front, IMAGE);
                    }
                    Await.until(WAIT, "worker 1 to hold requests",
                            () -> front.workerStats(a).get("in_flight").asInt() > 0);
                    long bBefore = front.workerStats(b).get("dispatched").asLong();
                    net.cut(host1);

                    Map<String, JsonNode> finals = ledger.awaitAllFinal(front, WAIT);
                    assertEquals(30, TaskLedger.countDone(finals), () -> "nothing lost: " + finals);
                    JsonNode cut = front.workerStats(a);
                    assertFalse(cut.get("connected").asBoolean(), cut::toString);
                    assertTrue(cut.get("failures").asInt() >= 1, cut::toString);
                    assertTrue(front.workerStats(b).get("dispatched").asLong() > bBefore,
                            "worker 2 took over worker 1's requests");

                    net.restore(host1);
                    Await.until(WAIT, "worker 1 to rejoin once its cable is back",
                            () -> front.workerStats(a).get("connected").asBoolean());
                    assertTrue(worker1.process().isAlive() && worker2.process().isAlive());
                }
            }
        }
    }

    private static WorkerProcess startWorker(NetNamespaces net, NetNamespaces.Host host, Path token,
                                             TestCertificates.Identity identity) throws IOException {
        List<String> args = new ArrayList<>(List.of("--listen", host.address() + ":" + PORT, "-n", "1",
                "--mode", "threads"));
        args.addAll(identity.flags());
        return WorkerProcess.start(net.exec(host), PORT, token, args.toArray(String[]::new));
    }
}
