package io.graypipe.batch;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one run of the folder CLI needs, built once by {@link BatchMain} from the command line.
 *
 * @param input          the folder to read; never written
 * @param output         the folder to write, not inside {@code input}
 * @param passes         what to do with every image, in order
 * @param modeFolders    whether outputs go to {@code OUTPUT/<mode>/<variant>/} ({@code --mode both})
 * @param scale          the front's {@code scale}
 * @param format         the front's {@code format}; null for the front's default (the input's, or PNG)
 * @param quality        the front's {@code quality}; null for its default
 * @param front          a running front to drive, or null to start one
 * @param frontClassPath the class path of the front to start when {@code front} is null
 * @param concurrency    uploads in flight at most; null for twice the worker's slots
 * @param skipExisting   whether an output that exists is kept and its image not sent again
 */
record BatchConfig(Path input, Path output, List<Pass> passes, boolean modeFolders, double scale, String format,
                   Integer quality, URI front, String frontClassPath, Integer concurrency, boolean skipExisting) {
}
