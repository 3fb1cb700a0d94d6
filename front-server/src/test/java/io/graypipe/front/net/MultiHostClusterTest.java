package io.graypipe.front.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.FrontProcess;
import io.graypipe.front.testing.LoadBalancer;
import io.graypipe.front.testing.NetNamespaces;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.front.testing.TaskLedger;
import io.graypipe.front.testing.TestCertificates;
import io.graypipe.front.testing.TestImages;
import io.graypipe.front.testing.WorkerHandshakes;
import io.graypipe.front.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocketFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole cluster on five hosts in network namespaces, as docs/scale-out.md draws it: {@code hub} runs Redis and
 * HAProxy (the project's deploy/haproxy.cfg), {@code front-a} and {@code front-b} a front each ({@code --store} on
 * the hub's Redis, {@code --worker} both worker hosts, mutual TLS), {@code worker-1} and {@code worker-2} a
 * scale-worker each listening on its own address. The test JVM is the client, through HAProxy.
 *
 * <p>Across the hosts: a front holding the wrong secret is refused by both workers; a client without a
 * certificate from the link's CA, or speaking plain TCP, gets no protocol byte; inside TLS with the link's
 * certificate, a proof made with another secret and a recorded handshake replayed are refused. Then a load of async and sync
 * uploads goes through HAProxy and worker-1's cable is pulled while it holds requests: every accepted request is
 * answered, every async task ends done with the right size, and the dispatch counts of both fronts show worker-2
 * took over. Runs only as root; skipped with a note otherwise.
 */
class MultiHostClusterTest {
    private static final Logger log = LoggerFactory.getLogger(MultiHostClusterTest.class);
    private static final byte[] IMAGE = TestImages.write(TestImages.noisyPhoto(800, 600, 7), "png");
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final int WORKER_PORT = 9090;
    private static final int FRONT_PORT = 8080;
    private static final int ASYNC_EACH_SIDE = 12;
    private static final int SYNC_EACH_SIDE = 6;
    private static final int MAX_ASYNC_BEFORE_CUT = 48;

    @TempDir
    Path dir;

    @Test
    @Timeout(400)
    void fiveHostsLoseNothingWhenAWorkerHostIsCutAndTheLinkAdmitsOnlyTheSecretAndTheCa() throws Exception {
        try (NetNamespaces net = NetNamespaces.create()) {
            RedisServer.requireInstalled();
            LoadBalancer.requireInstalled();
            NetNamespaces.Host hub = net.host("hub");
            NetNamespaces.Host frontHostA = net.host("front-a");
            NetNamespaces.Host frontHostB = net.host("front-b");
            NetNamespaces.Host workerHost1 = net.host("worker-1");
            NetNamespaces.Host workerHost2 = net.host("worker-2");
            TestCertificates ca = TestCertificates.create(dir.resolve("ca"));
            TestCertificates.Identity workerIdentity = ca.issue("worker");
            TestCertificates.Identity frontIdentity = ca.issue("front");
            TestCertificates.Identity stranger = TestCertificates.create(dir.resolve("another-ca")).issue("stranger");
            Path token = Files.writeString(dir.resolve("token"), "multi-host-cluster-token\n");
            Path wrongToken = Files.writeString(dir.resolve("wrong-token"), "not-the-cluster-token\n");
            String w1 = workerHost1.address() + ":" + WORKER_PORT;
            String w2 = workerHost2.address() + ":" + WORKER_PORT;

            try (RedisServer redis = RedisServer.builder().launcher(net.exec(hub)).bind(hub.address())
                    .port(6379).start();
                 WorkerProcess worker1 = MultiHostWorkersTest.startWorker(net, workerHost1, WORKER_PORT, token,
                         workerIdentity);
                 WorkerProcess worker2 = MultiHostWorkersTest.startWorker(net, workerHost2, WORKER_PORT, token,
                         workerIdentity);
                 // HAProxy on the hub names each client in a PROXY header, read only from a trusted proxy.
                 FrontProcess a = front(net, frontHostA, FRONT_PORT, token, frontIdentity, w1, w2)
                         .args("--store", redis.uri(), "--trusted-proxy", hub.address() + "/32").start();
                 FrontProcess b = front(net, frontHostB, FRONT_PORT, token, frontIdentity, w1, w2)
                         .args("--store", redis.uri(), "--trusted-proxy", hub.address() + "/32").start();
                 LoadBalancer balancer = LoadBalancer.start(net, hub, address(a), address(b))) {
                List<FrontProcess> fronts = List.of(a, b);
                for (FrontProcess front : fronts) {
                    Await.until(WAIT, "both workers connected to " + front.uri("/") + " through mutual TLS",
                            () -> front.workerStats(w1).get("connected").asBoolean()
                                    && front.workerStats(w2).get("connected").asBoolean());
                }

                // The link across hosts: the secret and the CA, both needed.
                try (FrontProcess intruder = front(net, frontHostB, FRONT_PORT + 1, wrongToken, frontIdentity, w1, w2)
                        .awaitReady(false).start()) {
                    for (WorkerProcess worker : List.of(worker1, worker2)) {
                        Await.until(WAIT, "the worker to refuse the front holding the wrong secret",
                                () -> worker.output().contains("closing connection from /" + frontHostB.address())
                                        && worker.output().contains("wrong proof"));
                    }
                    Await.until(WAIT, "the front holding the wrong secret to be told it is refused",
                            () -> intruder.output().contains("scale-worker refused the connection: unauthorized"));
                    assertFalse(intruder.workerStats(w1).get("connected").asBoolean(), intruder::output);
                    assertFalse(intruder.workerStats(w2).get("connected").asBoolean(), intruder::output);
                    assertEquals(503, intruder.readyzStatus(), "no worker admits it, so it is not ready");
                }
                SSLSocketFactory linkTls = frontIdentity.tlsClient(frontIdentity.trustedCa());
                for (WorkerProcess worker : List.of(worker1, worker2)) {
                    WorkerLinkTlsTest.assertUntrustedClientsGetNothing(worker.address(), workerIdentity, stranger);
                    WorkerLinkTlsTest.assertPlainTcpGetsNoFrame(worker.address());
                    // Inside TLS with the link's certificate, the handshake still needs the secret, freshly proven.
                    WorkerHandshakes.Connector overTls = () -> {
                        Socket socket = linkTls.createSocket(worker.address().getAddress(), worker.address().getPort());
                        socket.setSoTimeout(10_000);
                        return socket;
                    };
                    WorkerHandshakes.assertWrongSecretRefused(overTls);
                    WorkerHandshakes.assertReplayRefused(overTls, Files.readString(token).strip()
                            .getBytes(StandardCharsets.UTF_8));
                }

                Await.until(WAIT, "HAProxy to have both fronts in rotation", () -> balancer.frontsUp() == 2);
                ExecutorService clients = Executors.newFixedThreadPool(SYNC_EACH_SIDE);
                try {
                    TaskLedger ledger = new TaskLedger();
                    List<CompletableFuture<HttpResponse<byte[]>>> sync = new ArrayList<>();
                    submit(balancer, ledger, sync, clients);
                    // Mid-load means worker-1 holds requests when its cable goes; a load that ran quicker than the
                    // polling gets more uploads until it does.
                    AtomicInteger heldAtCut = new AtomicInteger();
                    Await.until(WAIT, "worker-1 to hold requests of the load", () -> {
                        heldAtCut.set(inFlight(fronts, w1));
                        if (heldAtCut.get() > 0) {
                            return true;
                        }
                        if (ledger.accepted().size() < MAX_ASYNC_BEFORE_CUT) {
                            ledger.submit(balancer, IMAGE);
                        }
                        return false;
                    });
                    // Whatever worker-1 holds now, and whatever it is given until each front notices the silence
                    // (15 s), can only be answered by worker-2.
                    net.cut(workerHost1);
                    int asyncBeforeCut = ledger.accepted().size();
                    long w1AtCut = dispatched(fronts, w1);
                    long w2AtCut = dispatched(fronts, w2);
                    submit(balancer, ledger, sync, clients);

                    int syncOk = 0;
                    int syncRefused = 0;
                    for (CompletableFuture<HttpResponse<byte[]>> answer : sync) {
                        HttpResponse<byte[]> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        if (response.statusCode() == 200) {
                            assertEquals(400, TestImages.decode(response.body()).getWidth());
                            syncOk++;
                        } else {
                            // The documented alternative: 503 with a code and Retry-After, never silence.
                            assertEquals(503, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
                            assertTrue(FrontProcess.json(response).path("error").path("code").isTextual());
                            assertTrue(response.headers().firstValue("Retry-After").isPresent());
                            syncRefused++;
                        }
                    }
                    Map<String, JsonNode> finals = ledger.awaitAllFinal(balancer, WAIT);
                    assertEquals(ledger.accepted().size(), TaskLedger.countDone(finals), () -> "nothing lost: " + finals);
                    for (String id : ledger.accepted()) {
                        JsonNode output = finals.get(id).get("output");
                        assertEquals(400, output.get("width").asInt(), id);
                        assertEquals(300, output.get("height").asInt(), id);
                        HttpResponse<byte[]> result = balancer.get("/tasks/" + id + "/result");
                        assertEquals(200, result.statusCode(), id);
                        assertEquals(output.get("bytes").asInt(), result.body().length, id);
                    }

                    long w1SinceCut = dispatched(fronts, w1) - w1AtCut;
                    long w2SinceCut = dispatched(fronts, w2) - w2AtCut;
                    for (FrontProcess front : fronts) {
                        JsonNode cut = front.workerStats(w1);
                        assertFalse(cut.get("connected").asBoolean(), cut::toString);
                        assertEquals(1, cut.get("failures").asInt(), cut::toString);
                        assertEquals(200, front.readyzStatus(), "worker-2 is enough for " + front.uri("/readyz"));
                    }
                    // Every request sent after the cut (and the counts read) ends on worker-2, directly or moved from
                    // worker-1, so worker-2 was given at least those.
                    String figures = "sync: " + syncOk + " answered 200, " + syncRefused + " answered 503;"
                            + " async: " + finals.size() + " done; dispatched since the cut (both fronts):"
                            + " worker-1 +" + w1SinceCut + ", worker-2 +" + w2SinceCut
                            + "; at the cut: " + asyncBeforeCut + " async accepted, worker-1 holding " + heldAtCut
                            + ", dispatched worker-1 " + w1AtCut + ", worker-2 " + w2AtCut;
                    assertTrue(w2SinceCut >= ASYNC_EACH_SIDE + SYNC_EACH_SIDE, "worker-2 took over: " + figures);
                    assertEquals(2, balancer.frontsUp(), balancer.output());
                    log.info("cut worker-1 mid-load: {}", figures);
                } finally {
                    clients.shutdownNow();
                }

                net.restore(workerHost1);
                for (FrontProcess front : fronts) {
                    Await.until(WAIT, "worker-1 to rejoin " + front.uri("/") + " once its cable is back",
                            () -> front.workerStats(w1).get("connected").asBoolean());
                }
            }
        }
    }

    /** One side of the load through HAProxy: async uploads (each must get its 202) and sync ones in parallel. */
    private static void submit(LoadBalancer balancer, TaskLedger ledger,
                               List<CompletableFuture<HttpResponse<byte[]>>> sync, ExecutorService clients) {
        for (int i = 0; i < SYNC_EACH_SIDE; i++) {
            sync.add(CompletableFuture.supplyAsync(() -> balancer.post("/process?scale=0.5", IMAGE), clients));
        }
        for (int i = 0; i < ASYNC_EACH_SIDE; i++) {
            ledger.submit(balancer, IMAGE);
        }
    }

    /** Requests {@code worker} holds for all {@code fronts} now: sent and not answered yet. */
    private static int inFlight(List<FrontProcess> fronts, String worker) {
        return fronts.stream().mapToInt(front -> front.workerStats(worker).get("in_flight").asInt()).sum();
    }

    /** Requests given to {@code worker} by all {@code fronts} since they started, retries included. */
    private static long dispatched(List<FrontProcess> fronts, String worker) {
        return fronts.stream().mapToLong(front -> front.workerStats(worker).get("dispatched").asLong()).sum();
    }

    private static InetSocketAddress address(FrontProcess front) {
        return new InetSocketAddress(front.uri("/").getHost(), front.port());
    }


    /** How to start a front inside {@code host} that dispatches to both workers over mutual TLS. */
    private static FrontProcess.Builder front(NetNamespaces net, NetNamespaces.Host host, int port, Path token,
                                              TestCertificates.Identity identity, String w1, String w2) {
        List<String> args = new ArrayList<>(List.of("--worker", w1, "--worker", w2,
                "--worker-token-file", token.toString(), "--request-timeout", "90s", "--worker-in-flight", "6"));
        args.addAll(identity.flags());
        return FrontProcess.builder().launcher(net.exec(host)).listenOn(host.address(), 1).port(port)
                .args(args.toArray(String[]::new));
    }
}
