package io.graypipe.batch;

import io.graypipe.batch.BatchReport.FileFailure;
import io.graypipe.batch.BatchReport.ModeComparison;
import io.graypipe.batch.BatchReport.PassReport;
import io.graypipe.batch.FrontMessages.Failure;
import io.graypipe.batch.FrontMessages.TaskStatus;
import io.graypipe.protocol.ImageFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One run of the folder CLI: one batch on the front for the whole run, followed on its one event stream. Every
 * pass walks the input folder again (the walk is streamed, so memory does not grow with the folder), and at most
 * {@code concurrency} images are in flight, each uploaded into the batch, awaited on the batch's stream,
 * downloaded under a temporary name and renamed into place. The batch is closed at the end. When {@code stopping} turns true no new
 * image is started; those in flight finish.
 */
final class BatchRun {
    private final BatchConfig config;
    private final FrontClient front;
    private final CpuMeter cpu;
    private final OutputLayout layout;
    private final BooleanSupplier stopping;
    private final List<FileFailure> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<FrontFailure> badRequest = new AtomicReference<>();

    /** @param cpu the front's process tree, or null when it is not on this machine's process table */
    BatchRun(BatchConfig config, FrontClient front, CpuMeter cpu, BooleanSupplier stopping) {
        this.config = config;
        this.front = front;
        this.cpu = cpu;
        this.layout = new OutputLayout(config.output(), config.modeFolders());
        this.stopping = stopping;
    }

    /** What the input folder holds, found by one streamed walk before the passes. */
    record Scan(long images, List<String> notImages) {
    }

    Scan scan() throws IOException {
        long images = 0;
        List<String> notImages = new ArrayList<>();
        try (Stream<Path> files = Files.walk(config.input())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    if (ImageKind.of(file).isPresent()) {
                        images++;
                    } else {
                        notImages.add(config.input().relativize(file).toString());
                    }
                }
            }
        }
        return new Scan(images, notImages);
    }

    BatchReport run(Scan scan, int concurrency, Progress progress, String frontDescription)
            throws IOException, InterruptedException, BatchUsageException {
        layout.removeLeftovers();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService uploads = Executors.newFixedThreadPool(concurrency, task -> {
            Thread thread = new Thread(task, "upload-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        List<PassReport> passes = new ArrayList<>();
        String batchId;
        try {
            batchId = front.openBatch();
        } catch (FrontFailure e) {
            throw new IOException("cannot create the run's batch on " + front.base() + ": " + e.failure().message(), e);
        }
        try (BatchStream events = front.follow(batchId)) {
            RunContext run = new RunContext(batchId, events);
            for (Pass pass : config.passes()) {
                if (stopping.getAsBoolean() || badRequest.get() != null) {
                    break;
                }
                passes.add(runPass(pass, scan.images(), concurrency, uploads, progress, run));
            }
        } finally {
            uploads.shutdown();
            closeBatch(batchId);
        }
        FrontFailure refused = badRequest.get();
        if (refused != null) {
            throw new BatchUsageException("the front refused the parameters: " + refused.failure().message());
        }
        for (Pass pass : config.passes().subList(passes.size(), config.passes().size())) {
            passes.add(new PassReport(pass.mode(), pass.variant(), pass.chain(), scan.images(), 0, 0, 0,
                    scan.images(), 0, null, null, null, 0, 0));
        }
        String cpuSource = cpu != null
                ? "CPU time of the embedded front's process tree (front, scale-worker, children) / wall time"
                : "not measured: the front at --url publishes no process CPU time";
        return new BatchReport(frontDescription, batchId, cpuSource, stopping.getAsBoolean(), scan.images(),
                concurrency, passes, ModeComparison.of(passes), List.copyOf(failures), scan.notImages());
    }

    /** The run's batch and its event stream. */
    private record RunContext(String batchId, BatchStream events) {
    }

    private void closeBatch(String batchId) throws InterruptedException {
        try {
            front.closeBatch(batchId);
        } catch (FrontFailure e) {
            // Nothing joins it any more anyway; the front forgets it after its TTL.
        }
    }

    private PassReport runPass(Pass pass, long images, int concurrency, ExecutorService uploads, Progress progress,
                               RunContext run) throws IOException, InterruptedException {
        PassTally tally = new PassTally();
        Semaphore slots = new Semaphore(concurrency);
        long retriesBefore = front.retriesAfter503();
        Duration cpuBefore = cpu == null ? null : cpu.cpuTime();
        long startedAt = System.nanoTime();
        try (Stream<Path> files = Files.walk(config.input())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (stopping.getAsBoolean() || badRequest.get() != null) {
                    break;
                }
                Optional<ImageFormat> kind = Files.isRegularFile(file) ? ImageKind.of(file) : Optional.empty();
                if (kind.isPresent()) {
                    slots.acquire();
                    uploads.execute(() -> {
                        try {
                            processImage(pass, file, kind.get(), tally, progress, run);
                        } finally {
                            slots.release();
                        }
                    });
                }
            }
        } finally {
            slots.acquireUninterruptibly(concurrency);
        }
        double wallSeconds = (System.nanoTime() - startedAt) / 1e9;
        long sent = tally.succeeded.sum() + tally.failed.sum();
        Double coresBusy = cpuBefore == null || sent == 0 ? null
                : cpu.cpuTime().minus(cpuBefore).toNanos() / 1e9 / wallSeconds;
        long accounted = sent + tally.skipped.sum();
        return new PassReport(pass.mode(), pass.variant(), pass.chain(), images, tally.succeeded.sum(),
                tally.failed.sum(), tally.skipped.sum(), Math.max(0, images - accounted), wallSeconds,
                sent == 0 ? null : wallSeconds * 1000 / sent, sent == 0 ? null : sent / wallSeconds, coresBusy,
                front.retriesAfter503() - retriesBefore, tally.cacheHits.sum());
    }

    private static final class PassTally {
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder skipped = new LongAdder();
        final LongAdder cacheHits = new LongAdder();
    }

    private void processImage(Pass pass, Path file, ImageFormat kind, PassTally tally, Progress progress,
                              RunContext run) {
        Path relative = config.input().relativize(file);
        // format=auto: the front picks from the Accept header; the name follows the format it answers with.
        String format = config.format() != null && !"auto".equals(config.format()) ? config.format()
                : kind.defaultOutput().label();
        Path target = layout.target(pass, relative, format);
        if (config.skipExisting() && ("auto".equals(config.format()) ? layout.anyTarget(pass, relative)
                : Files.isRegularFile(target))) {
            tally.skipped.increment();
            progress.advance(false);
            return;
        }
        String taskId = null;
        try {
            Optional<String> submitted = front.submit(file, relative.toString().replace('\\', '/'), pass, config,
                    run.batchId(), stopping);
            if (submitted.isEmpty()) {
                return;
            }
            taskId = submitted.get();
            TaskStatus status = finalStatus(run.events(), taskId);
            if (!"done".equals(status.status())) {
                throw new FrontFailure(status.error() != null ? status.error()
                        : new Failure("task_" + status.status(), "the task ended " + status.status()));
            }
            if (status.output() != null && status.output().format() != null
                    && !format.equals(status.output().format())) {
                target = layout.resultTarget(pass, relative, status.output().format());
            }
            write(taskId, target);
            tally.succeeded.increment();
            if (status.cacheHit()) {
                tally.cacheHits.increment();
            }
            progress.advance(false);
        } catch (FrontFailure e) {
            if ("bad_parameter".equals(e.failure().code())) {
                badRequest.compareAndSet(null, e);
                return;
            }
            failures.add(new FileFailure(pass.label(), relative.toString(), e.failure().code(), e.failure().message()));
            tally.failed.increment();
            progress.advance(true);
        } catch (RuntimeException e) {
            // A bug on this side must still show up as this image's failure, not as a silently missing output.
            failures.add(new FileFailure(pass.label(), relative.toString(), "internal", e.toString()));
            tally.failed.increment();
            progress.advance(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (taskId != null) {
                run.events().forget(taskId);
                forget(taskId);
            }
        }
    }

    /** The task's final status from the batch's stream. */
    private static TaskStatus finalStatus(BatchStream events, String taskId) throws FrontFailure, InterruptedException {
        try {
            return events.finalStatus(taskId).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof FrontFailure failure ? failure
                    : new FrontFailure("internal", String.valueOf(e.getCause()));
        }
    }

    /** Downloads the result beside {@code target} under a temporary name, then renames it into place. */
    private void write(String taskId, Path target) throws FrontFailure, InterruptedException {
        Path temporary = OutputLayout.temporary(target);
        try {
            Files.createDirectories(target.getParent());
            front.download(taskId, temporary);
            OutputLayout.publish(temporary, target);
        } catch (IOException e) {
            throw new FrontFailure("write_failed", "could not write " + target + ": " + e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // Left for the next run's removeLeftovers(); the output itself is either complete or absent.
            }
        }
    }

    private void forget(String taskId) {
        try {
            front.forget(taskId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
