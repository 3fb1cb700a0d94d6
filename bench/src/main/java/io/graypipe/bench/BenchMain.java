package io.graypipe.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of graypipe-bench.jar: one subcommand per tool that scripts/bench and scripts/jmh drive. */
@Command(name = "graypipe-bench", mixinStandardHelpOptions = true,
        description = "graypipe benchmark tools.",
        subcommands = {ImagesCommand.class, LoadClient.class, FloorCommand.class, ReportWriter.class,
                JmhCommand.class, SoakCommand.class, ProfileCommand.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
