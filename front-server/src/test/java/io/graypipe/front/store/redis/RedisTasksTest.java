package io.graypipe.front.store.redis;

import io.graypipe.front.json.Json;
import io.graypipe.front.store.StoreException;
import io.graypipe.front.task.ImageInfo;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.TaskRecord;
import io.graypipe.front.task.TaskState;
import io.graypipe.front.task.TaskStatus;
import io.graypipe.front.task.Timeline;
import io.graypipe.front.testing.Await;
import io.graypipe.front.testing.RedisServer;
import io.graypipe.protocol.ExecutionMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** RedisTasks, RedisWorkQueue and RedisEvents against a real redis-server, with outages staged on it. */
class RedisTasksTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Who created the tasks of most tests. */
    private static final ClientId OWNER = new ClientId("alice", "203.0.113.1", 2);

    private RedisServer redis;
    private final List<AutoCloseable> fronts = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        for (AutoCloseable front : fronts) {
            front.close();
        }
        redis.close();
    }

    /** One front's view of the store: its own connections, as a separate front process would have. */
    private record Front(RedisConnections connections, RedisTasks tasks, RedisBatches batches, RedisWorkQueue queue,
                         RedisEvents events)
            implements AutoCloseable {
        @Override
        public void close() {
            events.close();
            connections.close();
        }
    }

    private Front front(String name, Duration ttl, Duration claimIdle) {
        RedisConnections connections = RedisConnections.open(redis.uri(), Duration.ofSeconds(2), "graypipe:");
        Front front = new Front(connections, new RedisTasks(connections, Json.MAPPER, Clock.systemUTC(), ttl),
                new RedisBatches(connections, Json.MAPPER, Clock.systemUTC(), ttl), new RedisWorkQueue(connections, name, claimIdle), new RedisEvents(connections));
        fronts.add(front);
        return front;
    }

    private Front front(String name) {
        return front(name, TTL, RedisWorkQueue.CLAIM_IDLE);
    }

    @Test
    void aTaskIsCreatedReadUpdatedAndDeleted() {
        Front front = front("a");
        TaskRecord record = new TaskRecord(queued(0.5), "png", 85);
        byte[] upload = randomBytes(5000);
        await(front.tasks().create(record, OWNER, upload));

        assertEquals(Optional.of(new StoredTask(record, null, OWNER)), await(front.tasks().find(record.task().id())),
                "the owner is recorded with the task, for whichever front runs it");
        assertArrayEquals(upload, await(front.tasks().readUpload(record.task().id())).orElseThrow());

        TaskStatus gray = next(record.task(), TaskState.GRAYSCALE);
        assertEquals(RedisTasks.Change.CHANGED, await(front.tasks().update(gray)));
        assertEquals(gray, await(front.tasks().find(gray.id())).orElseThrow().record().task());

        TaskStatus deleted = await(front.tasks().delete(gray.id())).orElseThrow();
        assertEquals(TaskState.CANCELLED, deleted.status());
        assertEquals(Optional.empty(), await(front.tasks().find(gray.id())));
        assertEquals(Optional.empty(), await(front.tasks().readUpload(gray.id())));
        assertEquals(Optional.empty(), await(front.tasks().delete(gray.id())), "a second delete finds nothing");
        assertEquals(List.of("queued", "grayscale", "cancelled"), names(await(front.events().taskEvents(gray.id(), null))),
                "the events stay, so a client following the task sees it cancelled");
        assertEquals(RedisTasks.Change.GONE, await(front.tasks().complete(done(gray), new byte[]{1}, null)),
                "a front that finishes a deleted task learns it is gone");
    }

    @Test
    void aResultExpiresAfterTheResultTtl() {
        Front front = front("a", Duration.ofMillis(500), RedisWorkQueue.CLAIM_IDLE);
        TaskStatus queued = queued(1);
        await(front.tasks().create(new TaskRecord(queued, null, 85), OWNER, randomBytes(100)));
        byte[] result = randomBytes(300);
        assertEquals(RedisTasks.Change.CHANGED, await(front.tasks().complete(done(queued), result, null)));
        assertArrayEquals(result, await(front.tasks().readResult(queued.id())).orElseThrow());
        assertEquals(Optional.empty(), await(front.tasks().readUpload(queued.id())), "a final task's upload goes");

        Await.until(WAIT, "the result and the record to expire", () ->
                await(front.tasks().readResult(queued.id())).isEmpty() && await(front.tasks().find(queued.id())).isEmpty());
        Await.until(WAIT, "the events to expire", () -> await(front.events().taskEvents(queued.id(), null)).isEmpty());
    }

    @Test
    void eventsReplayFromAnIdAndReachAFollowerOnAnotherFront() {
        Front a = front("a");
        Front b = front("b");
        TaskStatus queued = queued(0.25);
        List<StoredEvent> seenOnB = createAndFollow(a, b, queued);

        TaskStatus gray = next(queued, TaskState.GRAYSCALE);
        TaskStatus scaling = next(gray, TaskState.SCALING);
        await(a.tasks().update(gray));
        await(a.tasks().update(scaling));
        await(a.tasks().complete(done(scaling), randomBytes(10), null));
        Await.until(WAIT, "front B to see every event front A made", () -> seenOnB.size() == 4);
        assertEquals(List.of("queued", "grayscale", "scaling", "done"), names(seenOnB));
        assertEquals(done(scaling).status(), parse(seenOnB.get(3)).status());

        List<StoredEvent> all = await(b.events().taskEvents(queued.id(), null));
        assertEquals(seenOnB.stream().map(StoredEvent::id).toList(), all.stream().map(StoredEvent::id).toList());
        List<StoredEvent> afterGray = await(b.events().taskEvents(queued.id(), all.get(1).id()));
        assertEquals(List.of("scaling", "done"), names(afterGray), "a client resuming from Last-Event-ID");

        List<StoredEvent> resumed = new CopyOnWriteArrayList<>();
        a.events().followTask(queued.id(), all.get(2).id(), resumed::add);
        Await.until(WAIT, "a resumed follow to catch up", () -> resumed.size() == 1);
        assertEquals("done", resumed.get(0).event());
    }

    @Test
    void aFollowerKeepsFollowingAcrossARedisRestart() throws Exception {
        redis.close();
        redis = RedisServer.builder().config("appendonly", "yes").config("appendfsync", "always").start();
        Front a = front("a");
        Front b = front("b");
        TaskStatus queued = queued(0.5);
        List<StoredEvent> seenOnB = createAndFollow(a, b, queued);

        redis.stop();
        redis.restart();
        TaskStatus gray = next(queued, TaskState.GRAYSCALE);
        Await.until(WAIT, "front A to reach Redis again", () -> succeeds(a.tasks().update(gray)));
        await(a.tasks().complete(done(gray), randomBytes(10), null));
        Await.until(WAIT, "front B's follow to resume after Lettuce resubscribed", () -> seenOnB.size() == 3);
        assertEquals(List.of("queued", "grayscale", "done"), names(seenOnB));
    }

    @Test
    void aBatchFollowsItsTasksAndFinishesWithTheLast() {
        Front front = front("a");
        TaskStatus first = queued(0.5);
        TaskStatus second = queued(0.5);
        await(front.tasks().create(new TaskRecord(first, null, 85), OWNER, randomBytes(10)));
        await(front.tasks().create(new TaskRecord(second, null, 85), OWNER, randomBytes(10)));
        String batchId = randomId();
        await(front.batches().createBatch(batchId, List.of(first.id(), second.id()), List.of("one.png", "two.jpg")));
        assertEquals(batchId, await(front.tasks().find(first.id())).orElseThrow().batchId());

        await(front.tasks().complete(done(first), randomBytes(10), null));
        StoredBatch half = await(front.batches().findBatch(batchId)).orElseThrow();
        assertNull(half.finishedAt());
        assertEquals(List.of("one.png", "two.jpg"), half.items().stream().map(StoredBatch.Item::filename).toList());
        assertEquals(TaskState.DONE, half.items().get(0).task().status());
        assertEquals(TaskState.QUEUED, half.items().get(1).task().status());

        assertTrue(await(front.tasks().delete(second.id())).isPresent());
        StoredBatch finished = await(front.batches().findBatch(batchId)).orElseThrow();
        assertNotNull(finished.finishedAt(), "the last task to finish finishes the batch");
        assertEquals(TaskState.CANCELLED, finished.items().get(1).task().status(),
                "a deleted task stays in its batch as cancelled");
        List<StoredEvent> events = await(front.events().batchEvents(batchId, null));
        assertEquals(List.of("done", "cancelled"), names(events));
        assertEquals(List.of(first.id(), second.id()), events.stream().map(StoredEvent::taskId).toList());
    }

    @Test
    void aClosedBatchWaitingForATaskSlowerThanTheTtlIsKeptUntilTheTaskFinishesIt() {
        Duration ttl = Duration.ofMillis(500);
        Front front = front("a", ttl, RedisWorkQueue.CLAIM_IDLE);
        TaskStatus slow = queued(0.5);
        String batchId = randomId();
        await(front.batches().openBatch(batchId));
        await(front.tasks().create(new TaskRecord(slow, null, 85), OWNER, randomBytes(10)));
        assertEquals(RedisBatches.Joined.JOINED, await(front.batches().addToBatch(batchId, slow.id(), "slow.png")));
        assertTrue(await(front.batches().closeBatch(batchId)));
        String key = "{graypipe}:batch:" + batchId;
        // The cluster chaos soak found a closed batch expiring TTL after its close while a task ran on: the task
        // finished, done, in a batch that no longer existed.
        long pttlWhileRunning = redis.commands(c -> c.pttl(key));
        assertEquals(-1L, pttlWhileRunning, "no expiry while a task is still to finish");

        await(front.tasks().complete(done(slow), randomBytes(10), null));
        StoredBatch finished = await(front.batches().findBatch(batchId)).orElseThrow();
        assertNotNull(finished.finishedAt());
        long pttl = redis.commands(c -> c.pttl(key));
        assertTrue(pttl > 0 && pttl <= ttl.toMillis(), "expires a TTL after it finished: " + pttl);
    }

    @Test
    void aBatchRunningLongerThanTheTtlKeepsItsFirstResultsUntilTheTtlAfterItFinished() throws Exception {
        Duration ttl = Duration.ofSeconds(1);
        Front front = front("a", ttl, RedisWorkQueue.CLAIM_IDLE);
        TaskStatus early = queued(0.5);
        TaskStatus late = queued(0.5);
        TaskStatus alone = queued(0.5);
        for (TaskStatus task : List.of(early, late, alone)) {
            await(front.tasks().create(new TaskRecord(task, null, 85), OWNER, randomBytes(10)));
        }
        String batchId = randomId();
        await(front.batches().createBatch(batchId, List.of(early.id(), late.id()), List.of("early.png", "late.png")));
        byte[] earlyResult = randomBytes(100);
        await(front.tasks().complete(done(early), earlyResult, null));
        await(front.tasks().complete(done(alone), randomBytes(100), null));

        // Every front keeps the members every quarter of the TTL; the cluster chaos soak found an archive without
        // the first results of a batch that outlasted the TTL.
        ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor();
        try {
            long period = front.batches().keepPeriod().toMillis();
            keeper.scheduleWithFixedDelay(() -> await(front.batches().keepMembers()), 0, period, TimeUnit.MILLISECONDS);
            Await.until(Duration.ofSeconds(10), "the task in no batch expired after its TTL",
                    () -> await(front.tasks().readResult(alone.id())).isEmpty());
            long stillThere = System.nanoTime() + 2 * ttl.toNanos();
            Await.until(Duration.ofSeconds(10), "two more TTLs gone by", () -> {
                assertArrayEquals(earlyResult, await(front.tasks().readResult(early.id())).orElse(null),
                        "a member's result outlives its TTL while its batch runs");
                return System.nanoTime() > stillThere;
            });
        } finally {
            keeper.shutdownNow();
            keeper.awaitTermination(5, TimeUnit.SECONDS);
        }

        await(front.tasks().complete(done(late), randomBytes(100), null));
        assertEquals(2, await(front.batches().keepMembers()), "both members' results extended to the batch's expiry");
        long batchLeft = redis.commands(c -> c.pttl("{graypipe}:batch:" + batchId));
        String resultKey = redis.commands(c -> c.hget("{graypipe}:task:" + early.id(), "result"));
        long resultLeft = redis.commands(c -> c.pttl(resultKey));
        assertTrue(resultLeft >= batchLeft - 100 && batchLeft > 0,
                "the first result lives as long as its finished batch: " + resultLeft + " ms against " + batchLeft);
        long running = redis.commands(c -> c.scard("{graypipe}:batches:running"));
        assertEquals(0L, running, "a finished batch leaves the running set");
    }

    @Test
    void aJoinKeepsAnOpenBatchAnotherTtl() {
        Front front = front("a");
        String batchId = randomId();
        await(front.batches().openBatch(batchId));
        String key = "{graypipe}:batch:" + batchId;
        redis.commands(c -> c.pexpire(key, 1000));
        TaskStatus task = queued(0.5);
        await(front.tasks().create(new TaskRecord(task, null, 85), OWNER, randomBytes(10)));
        assertEquals(RedisBatches.Joined.JOINED, await(front.batches().addToBatch(batchId, task.id(), "a.png")));
        long left = redis.commands(c -> c.pttl(key));
        assertTrue(left > TTL.toMillis() / 2, "an upload run longer than the TTL keeps its open batch: " + left);
    }

    @Test
    void aDeadFrontsTaskIsClaimedByAnotherAndFinishedOnce() throws Exception {
        Duration claimIdle = Duration.ofMillis(500);
        Front dying = front("dying", TTL, claimIdle);
        Front survivor = front("survivor", TTL, claimIdle);
        TaskStatus queued = queued(0.5);
        await(dying.tasks().create(new TaskRecord(queued, null, 85), OWNER, randomBytes(10)));

        List<WorkItem> taken = await(dying.queue().take(10, Duration.ofSeconds(1)));
        assertEquals(List.of(queued.id()), taken.stream().map(WorkItem::taskId).toList());
        assertFalse(taken.get(0).claimed());
        assertEquals(1, taken.get(0).deliveries());
        dying.close();

        List<WorkItem> claimed = new ArrayList<>();
        Await.until(WAIT, "the survivor to claim the dead front's task", () -> {
            claimed.addAll(await(survivor.queue().take(10, Duration.ofMillis(100))));
            return !claimed.isEmpty();
        });
        assertEquals(queued.id(), claimed.get(0).taskId());
        assertEquals(taken.get(0).entryId(), claimed.get(0).entryId());
        assertTrue(claimed.get(0).claimed());
        assertEquals(2, claimed.get(0).deliveries(), "Redis counts the claim as a second delivery");

        byte[] survivorsResult = randomBytes(50);
        assertEquals(RedisTasks.Change.CHANGED,
                await(survivor.tasks().complete(done(queued), survivorsResult, claimed.get(0))));
        Front lateDuplicate = front("dying-again", TTL, claimIdle);
        assertEquals(RedisTasks.Change.ALREADY_FINAL,
                await(lateDuplicate.tasks().complete(done(queued), randomBytes(50), taken.get(0))),
                "a second finisher's result is discarded");
        assertArrayEquals(survivorsResult, await(survivor.tasks().readResult(queued.id())).orElseThrow());
        assertEquals(0, pendingEntries(), "the work entry is acknowledged with the result");
        assertEquals(List.of(), await(survivor.queue().take(10, Duration.ofMillis(100))));
    }

    @Test
    void aLightClientsTaskIsTakenAfterOneOfAHeavyClientsBacklogNotAfterAll() {
        Front front = front("a");
        ClientId heavy = ClientId.anonymous("198.51.100.1");
        ClientId light = ClientId.anonymous("198.51.100.2");
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            created.add(create(front, heavy, "heavy" + i));
        }
        created.add(create(front, light, "light"));

        List<String> taken = takeOneAtATime(front, created, 7);
        assertEquals(List.of("heavy1", "light", "heavy2", "heavy3", "heavy4", "heavy5", "heavy6"), taken,
                "clients take turns; each client's tasks keep their order");
        assertEquals(light, await(front.tasks().find(created.get(6))).orElseThrow().owner(),
                "a taken task runs under its owner");
    }

    @Test
    void aClientsWeightIsHowManyTasksItsTurnTakesEvenOneTakeAtATime() {
        Front front = front("a");
        ClientId heavy = new ClientId("heavy", "-", 2);
        ClientId light = new ClientId("light", "-", 1);
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            created.add(create(front, heavy, "heavy" + i));
        }
        created.add(create(front, light, "light1"));
        created.add(create(front, light, "light2"));

        assertEquals(List.of("heavy1", "heavy2", "light1", "heavy3", "heavy4", "light2"),
                takeOneAtATime(front, created, 6));
        Front other = front("b");
        assertEquals(List.of(), await(other.queue().take(10, Duration.ofMillis(100))), "nothing is taken twice");
    }

    /** Creates a task of {@code owner} whose scale names it in {@link #takeOneAtATime}'s answer. */
    private static String create(Front front, ClientId owner, String name) {
        TaskStatus queued = queued(0.5);
        await(front.tasks().create(new TaskRecord(queued, name, 85), owner, randomBytes(10)));
        return queued.id();
    }

    /** Takes {@code count} entries one take at a time, as a front with one free slot does; their names in order. */
    private static List<String> takeOneAtATime(Front front, List<String> created, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<WorkItem> one = await(front.queue().take(1, Duration.ofMillis(100)));
            assertEquals(1, one.size(), "take " + (i + 1) + " of " + count);
            names.add(await(front.tasks().find(one.get(0).taskId())).orElseThrow().record().format());
        }
        return names;
    }

    @Test
    void aTouchedEntryIsNotClaimed() {
        Duration claimIdle = Duration.ofSeconds(2);
        Front working = front("working", TTL, claimIdle);
        Front other = front("other", TTL, claimIdle);
        TaskStatus queued = queued(0.5);
        await(working.tasks().create(new TaskRecord(queued, null, 85), OWNER, randomBytes(10)));
        WorkItem item = await(working.queue().take(1, Duration.ofSeconds(1))).get(0);

        long idleSince = System.nanoTime();
        Await.until(WAIT, "the entry to idle past the claim time", () ->
                System.nanoTime() - idleSince > claimIdle.toNanos() + Duration.ofMillis(200).toNanos());
        await(working.queue().touch(List.of(item)));
        assertEquals(List.of(), await(other.queue().take(10, Duration.ofMillis(100))),
                "an entry its front still touches stays with that front");
    }

    @Test
    void twoConcurrentCompletionsGiveOneResult() {
        Front a = front("a");
        Front b = front("b");
        TaskStatus queued = queued(0.5);
        await(a.tasks().create(new TaskRecord(queued, null, 85), OWNER, randomBytes(10)));
        byte[] resultA = randomBytes(64);
        byte[] resultB = randomBytes(64);
        CompletableFuture<RedisTasks.Change> byA = a.tasks().complete(done(queued), resultA, null);
        CompletableFuture<RedisTasks.Change> byB = b.tasks().complete(done(queued), resultB, null);
        List<RedisTasks.Change> outcomes = List.of(await(byA), await(byB));
        assertTrue(outcomes.contains(RedisTasks.Change.CHANGED) && outcomes.contains(RedisTasks.Change.ALREADY_FINAL),
                "exactly one completion wins: " + outcomes);
        byte[] kept = await(a.tasks().readResult(queued.id())).orElseThrow();
        assertArrayEquals(outcomes.get(0) == RedisTasks.Change.CHANGED ? resultA : resultB, kept);
        assertEquals(1, await(a.events().taskEvents(queued.id(), null)).stream()
                .filter(event -> event.event().equals("done")).count(), "one done event");
    }

    @Test
    void redisDownIsStorageUnavailableAndItWorksAgainOnceRedisReturns() throws Exception {
        Front front = front("a");
        redis.kill9();
        StoreException down = storeFailure(front.tasks().create(new TaskRecord(queued(0.5), null, 85), OWNER,
                randomBytes(10)));
        assertEquals(StoreException.Reason.STORAGE_UNAVAILABLE, down.reason());
        assertEquals("storage_unavailable", down.reason().code());
        assertEquals(StoreException.Reason.STORAGE_UNAVAILABLE,
                storeFailure(front.queue().take(1, Duration.ofMillis(100))).reason());

        redis.restart();
        TaskRecord record = new TaskRecord(queued(0.5), null, 85);
        Await.until(WAIT, "Lettuce to reconnect",
                () -> succeeds(front.tasks().create(record, OWNER, randomBytes(10))));
        List<WorkItem> taken = new ArrayList<>();
        Await.until(WAIT, "the work queue to work again (its group recreated)", () -> {
            taken.addAll(await(front.queue().take(1, Duration.ofMillis(100))));
            return !taken.isEmpty();
        });
        assertEquals(record.task().id(), taken.get(0).taskId());
    }

    @Test
    void redisAtMaxmemoryIsStorageFullAndLeavesNothingHalfWritten() throws Exception {
        redis.close();
        redis = RedisServer.builder().config("maxmemory", "4mb").config("maxmemory-policy", "noeviction").start();
        Front front = front("a");
        StoreException full = null;
        TaskRecord refused = null;
        for (int i = 0; i < 100 && full == null; i++) {
            TaskRecord record = new TaskRecord(queued(0.5), null, 85);
            try {
                front.tasks().create(record, OWNER, randomBytes(256 * 1024)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                full = assertInstanceOf(StoreException.class, e.getCause());
                refused = record;
            }
        }
        assertNotNull(full, "Redis never refused 25 MB with maxmemory 4mb");
        assertEquals(StoreException.Reason.STORAGE_FULL, full.reason());
        assertEquals("storage_full", full.reason().code());
        assertEquals(Optional.empty(), await(front.tasks().find(refused.task().id())), "no record without its upload");
    }

    /** Creates a task on {@code creator} and follows it on {@code follower}, once its first event arrived there. */
    private static List<StoredEvent> createAndFollow(Front creator, Front follower, TaskStatus queued) {
        await(creator.tasks().create(new TaskRecord(queued, null, 85), OWNER, randomBytes(100)));
        List<StoredEvent> seen = new CopyOnWriteArrayList<>();
        follower.events().followTask(queued.id(), null, seen::add);
        Await.until(WAIT, "the follower to see the queued event", () -> seen.size() == 1);
        return seen;
    }

    private long pendingEntries() {
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().keys("{graypipe}:work:q:*").stream()
                    .mapToLong(queue -> connection.sync().xpending(queue, RedisKeys.GROUP).getCount()).sum();
        } finally {
            client.shutdown();
        }
    }

    private static TaskStatus queued(double scale) {
        Instant now = Instant.now();
        return new TaskStatus(randomId(), TaskState.QUEUED, now, now, scale, "", "gray", ExecutionMode.DEFAULT, null,
                null, null, null, new Timeline(now, null, null, null));
    }

    private static TaskStatus next(TaskStatus status, TaskState state) {
        Instant now = Instant.now();
        Timeline t = status.timeline();
        Timeline timeline = state == TaskState.GRAYSCALE ? new Timeline(t.queuedAt(), now, null, null)
                : new Timeline(t.queuedAt(), t.grayscaleAt(), now, null);
        return new TaskStatus(status.id(), state, status.createdAt(), now, status.scale(), status.ops(),
                status.variant(), status.mode(), new ImageInfo("png", 64, 48, 1234), null, null, null, timeline);
    }

    private static TaskStatus done(TaskStatus status) {
        Instant now = Instant.now();
        Timeline t = status.timeline();
        return new TaskStatus(status.id(), TaskState.DONE, status.createdAt(), now, status.scale(), status.ops(),
                status.variant(), status.mode(), status.input(), new ImageInfo("png", 32, 24, 99),
                ExecutionMode.THREADS, null, new Timeline(t.queuedAt(), t.grayscaleAt(), t.scalingAt(), now));
    }

    private static TaskStatus parse(StoredEvent event) {
        try {
            return Json.MAPPER.readValue(event.status(), TaskStatus.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> names(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::event).toList();
    }

    private static String randomId() {
        byte[] bits = new byte[16];
        ThreadLocalRandom.current().nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the store failed", e);
        }
    }

    private static boolean succeeds(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static StoreException storeFailure(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(StoreException.class, e.getCause(), "a store failure, not " + e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
        return fail("the store answered although Redis is down");
    }
}
