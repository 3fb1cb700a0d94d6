package io.graypipe.batch;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;

/**
 * Shows how far the run is, advanced once per image and pass as each task's event stream reports it final (or the
 * image is skipped). On a terminal: one live bar with percentage, images per second and ETA. Otherwise: a plain
 * line at most every two seconds, and a last one.
 */
interface Progress extends AutoCloseable {
    void advance(boolean failed);

    @Override
    void close();

    static Progress on(PrintStream out, boolean terminal, long total) {
        return terminal ? new Bar(out, total) : new Lines(out, total);
    }

    final class Bar implements Progress {
        private final ProgressBar bar;
        private long failed;

        Bar(PrintStream out, long total) {
            bar = new ProgressBarBuilder()
                    .setTaskName("graypipe")
                    .setInitialMax(total)
                    .setUnit(" img", 1)
                    .showSpeed(new DecimalFormat("0.0"))
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .setUpdateIntervalMillis(250)
                    .build();
        }

        @Override
        public synchronized void advance(boolean failedOne) {
            if (failedOne) {
                failed++;
                bar.setExtraMessage("  " + failed + " failed");
            }
            bar.step();
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    final class Lines implements Progress {
        private static final long EVERY_NANOS = Duration.ofSeconds(2).toNanos();
        private final PrintStream out;
        private final long total;
        private final long startedAt = System.nanoTime();
        private long lastLineAt = startedAt;
        private long done;
        private long failed;

        Lines(PrintStream out, long total) {
            this.out = out;
            this.total = total;
        }

        @Override
        public synchronized void advance(boolean failedOne) {
            done++;
            if (failedOne) {
                failed++;
            }
            long now = System.nanoTime();
            if (now - lastLineAt >= EVERY_NANOS) {
                lastLineAt = now;
                print(now);
            }
        }

        private void print(long now) {
            double seconds = Math.max(1e-9, (now - startedAt) / 1e9);
            double rate = done / seconds;
            String eta = rate > 0 && done < total ? String.format(" ETA %.0f s,", (total - done) / rate) : "";
            out.printf("progress: %d/%d images (%.0f%%), %.1f img/s,%s %d failed%n",
                    done, total, total == 0 ? 100.0 : 100.0 * done / total, rate, eta, failed);
        }

        @Override
        public synchronized void close() {
            print(System.nanoTime());
        }
    }
}
