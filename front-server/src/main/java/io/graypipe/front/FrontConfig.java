package io.graypipe.front;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the front, built once by {@link FrontMain} from its flags. Limits live here and nowhere else.
 *
 * @param workerAddress     HOST:PORT of a running scale-worker, or null to start one locally
 * @param workerProcesses   children for a locally started worker; null means one per available processor
 * @param uploadDir         where uploads past {@code uploadMemoryThreshold} are spooled; Netty names them FUp_*
 * @param receiveTimeout    a request's line, headers and body must all arrive within this long of its first byte
 * @param dataDir           where async tasks, their uploads and results are kept across restarts
 * @param dataDirGiven      whether --data-dir was given; if not, a default in use by another front is not shared
 * @param maxDataBytes      uploads and results the data directory may hold before async uploads get 503
 * @param exactScaling      decode every JPEG at full size (no shrink-on-load), so the worker scales the original
 */
public record FrontConfig(String host,
                          int port,
                          String workerAddress,
                          Path workerTokenFile,
                          Integer workerProcesses,
                          String workerMode,
                          String workerJvmOptions,
                          long maxUploadBytes,
                          long uploadMemoryThreshold,
                          Path uploadDir,
                          long maxPixels,
                          int maxDimension,
                          int maxHeaderBytes,
                          int queueSize,
                          int grayThreads,
                          int workerInFlight,
                          Duration requestTimeout,
                          Duration readTimeout,
                          Duration receiveTimeout,
                          Duration resultTtl,
                          Duration shutdownGrace,
                          int maxFrameBytes,
                          Path dataDir,
                          boolean dataDirGiven,
                          long maxDataBytes,
                          boolean exactScaling) {
}
