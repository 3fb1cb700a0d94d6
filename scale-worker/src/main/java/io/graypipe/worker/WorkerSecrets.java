package io.graypipe.worker;

import io.graypipe.protocol.SecretFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The secrets a front may prove it holds: the current one and, during a rotation, the previous one
 * ({@code --token-file}, {@code --previous-token-file}). With files, both are read again every second on a
 * thread of their own, so a rotation needs no restart: fronts still on the previous secret keep connecting
 * until the operator empties that file. The handshake is unchanged: the worker checks the front's proof against
 * each accepted secret and answers with its proof under the one that matched.
 */
final class WorkerSecrets implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerSecrets.class);
    private static final long REFRESH_MILLIS = 1_000;

    private final SecretFile current;
    private final Path previousFile;
    private final byte[] fixed;
    /** Read by handshakes on event loops, written by the refresh thread. */
    private volatile List<byte[]> accepted;
    private ScheduledExecutorService refresher;

    private WorkerSecrets(SecretFile current, Path previousFile, byte[] fixed) {
        this.current = current;
        this.previousFile = previousFile;
        this.fixed = fixed;
        this.accepted = fixed != null ? List.of(fixed.clone()) : read();
    }

    /** One secret that never changes (a front's own worker, given it on stdin). */
    static WorkerSecrets fixed(byte[] token) {
        return new WorkerSecrets(null, null, token.clone());
    }

    /** The current secret from {@code current} and, if given, a previous one from {@code previous}. */
    static WorkerSecrets files(SecretFile current, Path previous) {
        return new WorkerSecrets(current, previous, null);
    }

    /** Every secret a front's proof may be made with, the current one first. */
    List<byte[]> accepted() {
        return accepted;
    }

    /** Starts reading the files again every second (nothing to do for a fixed secret). */
    WorkerSecrets watch() {
        if (fixed == null) {
            refresher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "token-files");
                thread.setDaemon(true);
                return thread;
            });
            refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    void refresh() {
        current.refresh();
        List<byte[]> now = read();
        if (!same(now, accepted)) {
            accepted = now;
            log.info("token files changed: accepting {}", now.size() == 1 ? "the current secret only"
                    : "the current secret and the previous one (" + previousFile + ")");
        }
    }

    private List<byte[]> read() {
        List<byte[]> secrets = new ArrayList<>(List.of(current.secret()));
        if (previousFile != null && Files.exists(previousFile)) {
            try {
                SecretFile previous = SecretFile.open(previousFile);
                if (!java.util.Arrays.equals(previous.secret(), secrets.get(0))) {
                    secrets.add(previous.secret());
                }
            } catch (java.io.IOException emptyOrUnreadable) {
                // An empty previous-token file ends the rotation: only the current secret is accepted.
            }
        }
        return List.copyOf(secrets);
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
