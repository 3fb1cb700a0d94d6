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
 * of a load loses nothing: the requests it held, and those sent to it before the front noticed the silence
 * (15 s), move to the other worker; it rejoins once the cable is back. Runs only as root; skipped with a note
 * otherwise.
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
            try (WorkerProcess worker1 = startWorker(net, host1, PORT, token, workerIdentity);
                 WorkerProcess worker2 = startWorker(net, host2, PORT, token, workerIdentity)) {
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
                    for (int i = 0; i < 10; i++) {
                        ledger.submit(front, IMAGE);
                    }
                    long aAtCut = front.workerStats(a).get("dispatched").asLong();
                    long bAtCut = front.workerStats(b).get("dispatched").asLong();
                    // Mid-load: whatever worker 1 holds now, and whatever it is given until the front notices the
                    // silence (15 s), can only be answered by worker 2. (The dispatch rule may well give it nothing
                    // more: its stuck requests count as outstanding.)
                    net.cut(host1);
                    for (int i = 0; i < 20; i++) {
                        ledger.submit(front, IMAGE);
                    }

                    Map<String, JsonNode> finals = ledger.awaitAllFinal(front, WAIT);
                    assertEquals(30, TaskLedger.countDone(finals), () -> "nothing lost: " + finals);
                    JsonNode cut = front.workerStats(a);
                    assertFalse(cut.get("connected").asBoolean(), cut::toString);
                    assertEquals(1, cut.get("failures").asInt(), cut::toString);
                    long aSinceCut = cut.get("dispatched").asLong() - aAtCut;
                    long bSinceCut = front.workerStats(b).get("dispatched").asLong() - bAtCut;
                    // Each request dispatched after the cut ends on worker 2, directly or moved there from worker 1
                    // (as do those worker 1 held), so worker 2 was given at least the 20 submitted after it.
                    assertTrue(bSinceCut >= 20, "worker 2 took over (worker 1 +" + aSinceCut + ", worker 2 +"
                            + bSinceCut + " since the cut)");
                    assertEquals(200, front.readyzStatus());

                    net.restore(host1);
                    Await.until(WAIT, "worker 1 to rejoin once its cable is back",
                            () -> front.workerStats(a).get("connected").asBoolean());
                    assertTrue(worker1.process().isAlive() && worker2.process().isAlive());
                }
            }
        }
    }

    /** A one-thread worker inside {@code host}, on its address and {@code port}, with mutual TLS as {@code identity}. */
    static WorkerProcess startWorker(NetNamespaces net, NetNamespaces.Host host, int port, Path token,
                                     TestCertificates.Identity identity) throws IOException {
        List<String> args = new ArrayList<>(List.of("-n", "1", "--mode", "threads"));
        args.addAll(identity.flags());
        return WorkerProcess.start(net, host, port, token, args);
    }
}
