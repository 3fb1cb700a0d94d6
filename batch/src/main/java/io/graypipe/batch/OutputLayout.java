package io.graypipe.batch;

import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.SafeText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where each output goes: {@code OUTPUT/<variant>/<relative path>} (or {@code OUTPUT/<mode>/<variant>/…}), the
 * input's file name kept when it already ends in the output format's extension ({@code a/b.jpg} stays
 * {@code a/b.jpg}) and the extension appended otherwise ({@code a/c.gif} becomes {@code a/c.gif.png}), so two
 * inputs never share an output. Files are written under a temporary name in the same folder and renamed into
 * place, so an output is either absent or complete.
 */
final class OutputLayout {
    /** Ends every temporary name; a run removes the ones a killed run left behind. */
    static final String TEMPORARY_SUFFIX = ".graypipe-partial";

    /** What an output format may look like to become a file extension: jpeg, png, webp, avif... */
    private static final String FORMAT = "[a-z0-9]{1,10}";

    private final Path output;
    private final boolean modeFolders;

    OutputLayout(Path output, boolean modeFolders) {
        this.output = output;
        this.modeFolders = modeFolders;
    }

    /** Whether an output of the input at {@code relative} exists in any format ({@code --format auto}). */
    boolean anyTarget(Pass pass, Path relative) {
        for (OutputFormat format : OutputFormat.values()) {
            if (Files.isRegularFile(target(pass, relative, format.label()))) {
                return true;
            }
        }
        return false;
    }

    /** The output of the input at {@code relative} (to the input folder) in {@code format} (an {@link OutputFormat} label). */
    Path target(Pass pass, Path relative, String format) {
        Path folder = modeFolders ? output.resolve(pass.mode()).resolve(pass.variant()) : output.resolve(pass.variant());
        String name = relative.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean keep = "jpeg".equals(format)
                ? lower.endsWith(".jpg") || lower.endsWith(".jpeg")
                : lower.endsWith("." + format);
        String outputName = keep ? name : name + "." + ("jpeg".equals(format) ? "jpg" : format);
        Path target = folder.resolve(relative).resolveSibling(outputName);
        if (!target.normalize().startsWith(output.normalize()) || !format.matches(FORMAT)) {
            throw new IllegalArgumentException("not a path inside " + output + ": " + SafeText.forLog(target.toString()));
        }
        return target;
    }

    /**
     * The output of an input whose result came back in {@code format}, a name the server chose: a server that is
     * not graypipe, or a hostile one, must not be able to write outside the output folder ({@code ../../x}), split
     * the name ({@code png/../../x}) or hide what it is (a bidirectional override), so a format that is not a
     * plain extension fails this image instead.
     */
    Path resultTarget(Pass pass, Path relative, String format) throws FrontFailure {
        if (format == null || !format.matches(FORMAT)) {
            throw new FrontFailure("unsafe_answer", "the server named the result's format "
                    + SafeText.forLog(format == null ? "null" : format.substring(0, Math.min(format.length(), 40)))
                    + ", which is not a file extension; the result was not written");
        }
        return target(pass, relative, format);
    }

    /** The temporary name {@code target} is written under before it is renamed into place. */
    static Path temporary(Path target) {
        return target.resolveSibling("." + target.getFileName() + TEMPORARY_SUFFIX);
    }

    /** Moves a completely written temporary file to {@code target}, replacing what was there in one step. */
    static void publish(Path temporary, Path target) throws IOException {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes temporary files a killed run left in the output folder; returns how many. */
    long removeLeftovers() throws IOException {
        if (!Files.isDirectory(output)) {
            return 0;
        }
        long removed = 0;
        try (Stream<Path> files = Files.walk(output)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(TEMPORARY_SUFFIX) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        return removed;
    }
}
