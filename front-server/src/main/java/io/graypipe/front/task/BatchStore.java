package io.graypipe.front.task;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batches of multi-file uploads and of {@code POST /batches}. Finished batches are forgotten after the result
 * TTL; until then they hold their tasks ({@link TaskRegistry#sweep} keeps them), so the archive of a batch that
 * ran longer than the TTL still has its first results.
 */
public final class BatchStore {
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration ttl;

    public BatchStore(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** A closed batch of {@code members}: the tasks of one multi-file upload. */
    public Batch create(List<Batch.Member> members) {
        return create(members, ClientId.UNKNOWN);
    }

    /** A closed batch of {@code members}, owned by {@code owner} ({@link TaskIds}). */
    public Batch create(List<Batch.Member> members, ClientId owner) {
        Batch batch = new Batch(TaskIds.mint(random, owner), clock);
        members.forEach(batch::add);
        batch.close();
        batches.put(batch.id(), batch);
        return batch;
    }

    /** An empty open batch that tasks join until it is closed ({@code POST /batches}). */
    public Batch open() {
        return open(ClientId.UNKNOWN);
    }

    /** An empty open batch owned by {@code owner}. */
    public Batch open(ClientId owner) {
        Batch batch = new Batch(TaskIds.mint(random, owner), clock);
        batches.put(batch.id(), batch);
        return batch;
    }

    public Optional<Batch> find(String id) {
        return Optional.ofNullable(batches.get(id));
    }

    /**
     * Forgets batches that finished longer than the TTL ago, and open ones nobody touched for as long; their
     * tasks are then forgotten like any other (they finished at least as long ago).
     */
    public void sweep() {
        Instant cutoff = clock.instant().minus(ttl);
        for (Batch batch : batches.values()) {
            if (batch.expiredBefore(cutoff) && batches.remove(batch.id(), batch)) {
                batch.members().forEach(member -> member.task().leftBatch());
            }
        }
    }
}
