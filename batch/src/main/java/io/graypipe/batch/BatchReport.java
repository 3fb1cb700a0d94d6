package io.graypipe.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run did, as printed in the summary and written to {@code OUTPUT/report.json} (snake_case keys).
 *
 * @param front             the front's base URI, and whether the CLI started it
 * @param batchId           the run's one batch on the front ({@code GET /batches/{id}}); null if none was made
 * @param cpuSource         where {@code cpu_cores_busy} comes from, or why it is absent
 * @param interrupted       whether Ctrl-C (or SIGTERM) stopped the run before every image was sent
 * @param imagesFound       images in the input folder (by their bytes)
 * @param concurrency       uploads in flight at most
 * @param passes            one entry per variant and mode, in the order they ran
 * @param threadsVsProcesses with {@code --mode both}: per variant, threads' images per second over processes'
 * @param failures          every image that failed, with the front's error code and message
 * @param notImages         files skipped because their bytes are no JPEG, PNG, GIF, BMP, WebP or AVIF (relative paths)
 */
record BatchReport(String front, String batchId, String cpuSource, boolean interrupted, long imagesFound, int concurrency,
                   List<PassReport> passes, List<ModeComparison> threadsVsProcesses, List<FileFailure> failures,
                   List<String> notImages) {

    /**
     * One pass: {@code images = succeeded + failed + skipped_existing + not_done}. Rates count the images sent
     * (succeeded and failed), over the pass's wall time. {@code cacheHits}: succeeded images the front answered
     * from its result cache (a rerun recomputes only what changed).
     */
    record PassReport(String mode, String variant, String ops, long images, long succeeded, long failed,
                      long skippedExisting, long notDone, double wallSeconds, Double msPerImage,
                      Double imagesPerSecond, Double cpuCoresBusy, long overloadedRetries, long cacheHits) {
    }

    /** {@code ratio} = threads' images per second / processes'; above 1, threads were faster. */
    record ModeComparison(String variant, Double threadsImagesPerSecond, Double processesImagesPerSecond,
                          Double ratio) {
        /** One comparison per variant that ran in both modes, in the order of the threads passes. */
        static List<ModeComparison> of(List<PassReport> passes) {
            List<ModeComparison> comparisons = new ArrayList<>();
            for (PassReport threads : passes) {
                if (!"threads".equals(threads.mode())) {
                    continue;
                }
                passes.stream()
                        .filter(p -> "processes".equals(p.mode()) && p.variant().equals(threads.variant()))
                        .findFirst()
                        .ifPresent(processes -> comparisons.add(new ModeComparison(threads.variant(),
                                threads.imagesPerSecond(), processes.imagesPerSecond(),
                                threads.imagesPerSecond() == null || processes.imagesPerSecond() == null ? null
                                        : threads.imagesPerSecond() / processes.imagesPerSecond())));
            }
            return comparisons;
        }
    }

    record FileFailure(String pass, String file, String code, String message) {
    }
}
