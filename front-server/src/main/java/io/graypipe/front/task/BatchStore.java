package io.graypipe.front.task;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The batches of multi-file uploads. Finished batches are forgotten after the result TTL, like their tasks. */
public final class BatchStore {
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration ttl;

    public BatchStore(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** A batch of {@code tasks}; {@code filenames} are the clients' names for them, in the same order. */
    public Batch create(List<Task> tasks, List<String> filenames) {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        Batch batch = new Batch(HexFormat.of().formatHex(bits), clock, tasks, filenames);
        batch.follow();
        batches.put(batch.id(), batch);
        return batch;
    }

    public Optional<Batch> find(String id) {
        return Optional.ofNullable(batches.get(id));
    }

    /** Forgets batches that finished longer than the TTL ago. */
    public void sweep() {
        Instant cutoff = clock.instant().minus(ttl);
        batches.values().removeIf(batch -> {
            Instant finished = batch.finishedAt();
            return finished != null && finished.isBefore(cutoff);
        });
    }
}
