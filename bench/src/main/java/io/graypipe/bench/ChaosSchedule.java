package io.graypipe.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The cluster soak's faults, drawn from a seed: the same seed and length give the same faults at the same seconds.
 * Every kind happens at least once; more are drawn until faults start on average every {@link #MEAN_GAP_SECONDS}.
 * Faults on different targets overlap freely (a front dies while Redis restarts and a worker is frozen); faults on
 * one target never do, so each fault's end (a restart, a SIGCONT, a cable put back) undoes exactly that fault.
 * Every fault has ended by 85% of the run, so the last minutes show the cluster recovered.
 */
final class ChaosSchedule {
    static final int MEAN_GAP_SECONDS = 20;

    enum Kind {
        KILL_FRONT("kill -9 front", 3, 10),
        KILL_WORKER("kill -9 worker", 3, 10),
        KILL_CHILD("kill -9 child", 0, 0),
        STOP_WORKER("SIGSTOP worker", 5, 15),
        RESTART_REDIS("restart Redis", 2, 6),
        CUT_LINK("cut cable", 5, 20),
        SLOW_LINK("slow lossy link", 20, 40),
        FULL_DISK("full disk", 15, 30);

        final String label;
        final int minSeconds;
        final int maxSeconds;

        Kind(String label, int minSeconds, int maxSeconds) {
            this.label = label;
            this.minSeconds = minSeconds;
            this.maxSeconds = maxSeconds;
        }

        /** What this kind of fault can hit, by the cluster's host names. */
        List<String> targets() {
            return switch (this) {
                case KILL_FRONT -> List.of("front-a", "front-b");
                case KILL_WORKER, KILL_CHILD, STOP_WORKER -> List.of("worker-1", "worker-2");
                case RESTART_REDIS -> List.of("hub");
                case CUT_LINK -> List.of("front-a", "front-b", "worker-1", "worker-2");
                case SLOW_LINK -> List.of("front-a>worker-1");
                case FULL_DISK -> List.of("front-a");
            };
        }
    }

    /** One fault: from {@code atSeconds} for {@code seconds} (how long the target stays down, frozen or cut). */
    record Fault(Kind kind, String target, int atSeconds, int seconds) {
        int endSeconds() {
            return atSeconds + seconds;
        }

        /** The thing hit: a kill of a child hits its worker's pool, not the worker. */
        String subject() {
            return kind == Kind.KILL_CHILD ? target + "/child" : kind == Kind.SLOW_LINK ? "link " + target
                    : kind == Kind.FULL_DISK ? target + " disk" : target;
        }

        @Override
        public String toString() {
            return kind.label + " " + target + " at " + atSeconds + " s" + (seconds > 0 ? " for " + seconds + " s" : "");
        }
    }

    private ChaosSchedule() {
    }

    /** The faults of a run of {@code totalSeconds}, in order of start. */
    static List<Fault> draw(long seed, int totalSeconds) {
        Random random = new Random(seed);
        int first = Math.min(20, totalSeconds / 10);
        int last = (int) (totalSeconds * 0.85);
        List<Fault> faults = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        int wanted = Math.max(kinds.size(), (last - first) / MEAN_GAP_SECONDS);
        for (int attempt = 0; faults.size() < wanted && attempt < wanted * 50; attempt++) {
            Kind kind = faults.size() < kinds.size() ? kinds.get(faults.size())
                    : kinds.get(random.nextInt(kinds.size()));
            String target = kind.targets().get(random.nextInt(kind.targets().size()));
            int seconds = kind.minSeconds + random.nextInt(kind.maxSeconds - kind.minSeconds + 1);
            int latestStart = last - seconds;
            if (latestStart <= first) {
                continue;
            }
            Fault fault = new Fault(kind, target, first + random.nextInt(latestStart - first), seconds);
            if (faults.stream().noneMatch(other -> overlaps(fault, other))) {
                faults.add(fault);
            }
        }
        faults.sort(Comparator.comparingInt(Fault::atSeconds));
        return faults;
    }

    /** Same subject, and their spans (with 3 s to settle after the first) meet. */
    private static boolean overlaps(Fault a, Fault b) {
        return a.subject().equals(b.subject())
                && a.atSeconds() <= b.endSeconds() + 3 && b.atSeconds() <= a.endSeconds() + 3;
    }
}
