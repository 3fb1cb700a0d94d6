package io.graypipe.front.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds graypipe JVMs among a process's descendants by their main class. */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** Live descendants of {@code root} whose command line names {@code mainClass}. */
    public static List<ProcessHandle> live(ProcessHandle root, String mainClass) {
        return root.descendants().filter(p -> p.isAlive() && commandLine(p).contains(mainClass)).toList();
    }

    /**
     * The full command line. {@link ProcessHandle.Info#commandLine()} stops at 4096 bytes on Linux, which a test
     * class path easily exceeds, so /proc is read directly where it exists.
     */
    public static String commandLine(ProcessHandle process) {
        Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(cmdline)) {
                return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException e) {
            // The process exited between the check and the read; it has no command line any more.
            return "";
        }
        return process.info().commandLine().orElse("");
    }
}
