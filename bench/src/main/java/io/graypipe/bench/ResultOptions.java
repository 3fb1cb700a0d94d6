package io.graypipe.bench;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options of every command that measures a {@link LoadResult}: its name and tags, and where it goes. */
final class ResultOptions {
    @Option(names = "--name", description = "Scenario name recorded in the JSON result.")
    String scenario = "load";

    @Option(names = "--tag", description = "key=value label recorded in the JSON result (repeatable).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--json", description = "Write the result as JSON to this file.")
    Path jsonOutput;

    /** Prints the summary line, and writes the JSON when {@code --json} was given. */
    void report(LoadResult result) throws IOException {
        System.out.println(LoadClient.summaryLine(result));
        if (jsonOutput != null) {
            LoadClient.JSON.writeValue(jsonOutput.toFile(), result);
        }
    }
}
