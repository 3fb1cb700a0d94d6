package io.graypipe.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** CLI: makes sure the benchmark inputs exist in a cache directory and prints {@code kind path bytes} per input. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "Generate (once) the deterministic benchmark images and print their paths.")
final class ImagesCommand implements Callable<Integer> {
    @Option(names = "--cache-dir", required = true, description = "Where generated images are kept between runs.")
    Path cacheDir;

    @Option(names = "--seed", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = BenchImages.DEFAULT_SEED;

    @Override
    public Integer call() throws Exception {
        Map<BenchImages.Kind, Path> files = BenchImages.ensure(cacheDir, seed);
        for (Map.Entry<BenchImages.Kind, Path> entry : files.entrySet()) {
            System.out.printf("%s\t%s\t%d%n", entry.getKey(), entry.getValue().toAbsolutePath(),
                    Files.size(entry.getValue()));
        }
        return 0;
    }
}
